//! What the fuzz targets share: reading a fuzz input as a few parameters and a body, hostile
//! values, JSON built from bytes, and the drivers of the bigger targets.
//!
//! Every target's input has the same shape, so that corpus entries are easy to make by hand
//! (`examples/seed.rs`) and to read: [`PARAMS`] bytes of parameters (missing ones read as 0),
//! then the body.
//!
//! vigil-core's `tests/fuzz_regressions.rs` includes these same sources (`#[path]`) to replay the
//! committed corpus in plain `cargo test`: modules here name each other through `super::`, never
//! `crate::`, and use nothing but vigil-core, vigil-sim and serde_json.

pub mod dialect;
pub mod engine;
pub mod gen;
pub mod look;
pub mod small;
pub mod vocab;

/// How many bytes of an input are parameters; the rest is the body.
pub const PARAMS: usize = 32;

/// Reads parameters one byte at a time; past the end every read is 0.
pub struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Cursor { data, pos: 0 }
    }

    pub fn u8(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }

    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }

    pub fn u64(&mut self) -> u64 {
        u64::from(self.u32()) | (u64::from(self.u32()) << 32)
    }

    pub fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }

    /// One of `items` (the first when there is nothing left).
    pub fn pick<'b, T>(&mut self, items: &'b [T]) -> &'b T {
        &items[usize::from(self.u8()) % items.len()]
    }

    /// Up to `max` bytes, as (lossy) text.
    pub fn text(&mut self, max: usize) -> String {
        let n = usize::from(self.u8()) % (max + 1);
        let end = (self.pos + n).min(self.data.len());
        let s = String::from_utf8_lossy(self.data.get(self.pos..end).unwrap_or(&[])).into_owned();
        self.pos += n;
        s
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// What has not been read.
    pub fn rest(&self) -> &'a [u8] {
        self.data.get(self.pos..).unwrap_or(&[])
    }
}

/// An input split into its parameters and its body.
pub fn split(data: &[u8]) -> (Cursor<'_>, &[u8]) {
    let cut = data.len().min(PARAMS);
    (Cursor::new(&data[..cut]), &data[cut..])
}
