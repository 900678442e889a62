// The demo providers' worker: loads wasm-bindgen's glue (no-modules), then the worker's wasm.
// Copied next to index.html by Trunk (index.html, rel="copy-file"); the page starts it by name.
importScripts("./vigil-demo-worker.js");
wasm_bindgen({ module_or_path: "./vigil-demo-worker_bg.wasm" });
