// The plain page Vigil is measured against: one fetch() of the provider's VM list every 2 s
// (Erigones `GET /vm/?full=true`, the one request that has every column), rows rendered as a
// plain page would. `?sim=<vigil-sim-server URL>`; `?all=1` renders every row instead of only
// those in view. The key is the simulator's documented demo key.
(() => {
  const params = new URLSearchParams(location.search);
  const SIM = (params.get('sim') || '').replace(/\/$/, '');
  const ALL = params.get('all') === '1';
  const KEY = 'demo-key';
  const ROW_H = 40;
  const OVERSCAN = 5;
  const POLL_MS = 2000;

  const scroller = document.getElementById('scroller');
  const tbody = document.getElementById('rows');
  const count = document.getElementById('count');
  let vms = [];

  const cellsOf = (vm) => [
    vm.alias || vm.hostname,
    vm.status,
    (vm.ips && vm.ips[0]) || '—',
    vm.node || '—',
    `${vm.vcpus} vCPU, ${Math.round((vm.ram / 1024) * 10) / 10} GB`,
    'Erigones',
  ];

  function newRow() {
    const tr = document.createElement('tr');
    for (let i = 0; i < 6; i++) {
      const cell = document.createElement(i === 0 ? 'th' : 'td');
      if (i === 0) cell.scope = 'row';
      tr.appendChild(cell);
    }
    return tr;
  }

  function fill(tr, vm) {
    const values = cellsOf(vm);
    for (let i = 0; i < 6; i++) {
      const cell = tr.children[i];
      if (cell.textContent !== values[i]) cell.textContent = values[i];
    }
  }

  function spacer() {
    const tr = document.createElement('tr');
    tr.className = 'spacer';
    tr.setAttribute('aria-hidden', 'true');
    const td = document.createElement('td');
    td.colSpan = 6;
    tr.appendChild(td);
    return tr;
  }

  // Windowed: a spacer, the rows in view (from a pool), a spacer.
  const top = spacer();
  const bottom = spacer();
  const pool = [];
  function renderWindow() {
    const first = Math.max(0, Math.floor(scroller.scrollTop / ROW_H) - OVERSCAN);
    const shown = Math.min(vms.length - first, Math.ceil(scroller.clientHeight / ROW_H) + 2 * OVERSCAN);
    while (pool.length < shown) pool.push(newRow());
    top.firstChild.style.height = `${first * ROW_H}px`;
    bottom.firstChild.style.height = `${Math.max(0, vms.length - first - shown) * ROW_H}px`;
    const want = [top];
    for (let i = 0; i < shown; i++) {
      fill(pool[i], vms[first + i]);
      want.push(pool[i]);
    }
    want.push(bottom);
    if (tbody.children.length !== want.length || want.some((r, i) => tbody.children[i] !== r)) {
      tbody.replaceChildren(...want);
    }
  }

  // Every row, rebuilt on each answer, as a naive page does.
  function renderAll() {
    const frag = document.createDocumentFragment();
    for (const vm of vms) {
      const tr = newRow();
      fill(tr, vm);
      frag.appendChild(tr);
    }
    tbody.replaceChildren(frag);
  }

  const render = ALL ? renderAll : renderWindow;
  if (!ALL) scroller.addEventListener('scroll', () => requestAnimationFrame(renderWindow), { passive: true });

  async function poll() {
    const started = Date.now();
    try {
      const res = await fetch(`${SIM}/erigones/api/vm/?full=true`, { headers: { 'ES-API-KEY': KEY } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      // The body as text, parsed here: the parse then runs in the task that applies the answer,
      // as Vigil's does (which reads text and parses it in wasm).
      const body = JSON.parse(await res.text());
      vms = Array.isArray(body.result) ? body.result : [];
      count.textContent = `${vms.length.toLocaleString()} VMs`;
      render();
    } catch (e) {
      count.textContent = `Could not load the VMs: ${e.message}`;
    }
    setTimeout(poll, Math.max(0, POLL_MS - (Date.now() - started)));
  }
  poll();
})();
