//! Little-endian encoding of columns for the model file; signals encode their fitted
//! parameters with it.

use crate::data::IdMap;

/// Appends typed columns to a byte buffer.
#[derive(Debug, Default)]
pub(crate) struct Enc {
    pub buf: Vec<u8>,
}

impl Enc {
    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn len(&mut self, n: usize) {
        self.u64(n as u64);
    }
    pub fn u8s(&mut self, v: &[u8]) {
        self.len(v.len());
        self.buf.extend_from_slice(v);
    }
    pub fn u32s(&mut self, v: &[u32]) {
        self.len(v.len());
        self.buf.reserve(v.len() * 4);
        for x in v {
            self.buf.extend_from_slice(&x.to_le_bytes());
        }
    }
    pub fn i64s(&mut self, v: &[i64]) {
        self.len(v.len());
        self.buf.reserve(v.len() * 8);
        for x in v {
            self.buf.extend_from_slice(&x.to_le_bytes());
        }
    }
    pub fn f32s(&mut self, v: &[f32]) {
        self.len(v.len());
        self.buf.reserve(v.len() * 4);
        for x in v {
            self.buf.extend_from_slice(&x.to_le_bytes());
        }
    }
    pub fn f64s(&mut self, v: &[f64]) {
        self.len(v.len());
        self.buf.reserve(v.len() * 8);
        for x in v {
            self.buf.extend_from_slice(&x.to_le_bytes());
        }
    }
    pub fn ids(&mut self, m: &IdMap) {
        self.len(m.len());
        for name in m.names() {
            self.u8s(name.as_bytes());
        }
    }
}

/// Reads typed columns back, checking every length against the bytes left.
#[derive(Debug)]
pub(crate) struct Dec<'a> {
    buf: &'a [u8],
    pos: usize,
    section: &'static str,
}

type R<T> = Result<T, String>;

impl<'a> Dec<'a> {
    pub fn new(buf: &'a [u8], section: &'static str) -> Self {
        Dec {
            buf,
            pos: 0,
            section,
        }
    }

    fn take(&mut self, n: usize) -> R<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or_else(|| {
                format!(
                    "section \"{}\" ends early: needs {n} bytes at offset {}, has {}",
                    self.section,
                    self.pos,
                    self.buf.len().saturating_sub(self.pos)
                )
            })?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    pub fn u64(&mut self) -> R<u64> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    pub fn len(&mut self, elem: usize) -> R<usize> {
        let n = self.u64()?;
        let n = usize::try_from(n)
            .map_err(|_| format!("section \"{}\": length {n} too large", self.section))?;
        // A length must fit in the bytes left; this stops huge allocations on corrupt input.
        if n.saturating_mul(elem.max(1)) > self.buf.len() - self.pos {
            return Err(format!(
                "section \"{}\": a column of {n} elements does not fit in the {} bytes left",
                self.section,
                self.buf.len() - self.pos
            ));
        }
        Ok(n)
    }

    pub fn u8s(&mut self) -> R<Vec<u8>> {
        let n = self.len(1)?;
        Ok(self.take(n)?.to_vec())
    }

    pub fn u32s(&mut self) -> R<Vec<u32>> {
        let n = self.len(4)?;
        let b = self.take(n * 4)?;
        Ok(b.chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }

    pub fn i64s(&mut self) -> R<Vec<i64>> {
        let n = self.len(8)?;
        let b = self.take(n * 8)?;
        Ok(b.chunks_exact(8)
            .map(|c| i64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
            .collect())
    }

    pub fn f32s(&mut self) -> R<Vec<f32>> {
        let n = self.len(4)?;
        let b = self.take(n * 4)?;
        Ok(b.chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }

    pub fn f64s(&mut self) -> R<Vec<f64>> {
        let n = self.len(8)?;
        let b = self.take(n * 8)?;
        Ok(b.chunks_exact(8)
            .map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
            .collect())
    }

    /// Whether bytes are left after what was read so far.
    pub fn has_more(&self) -> bool {
        self.pos < self.buf.len()
    }

    pub fn ids(&mut self, what: &str) -> R<IdMap> {
        let n = self.len(8)?;
        let mut map = IdMap::with_capacity(n);
        for _ in 0..n {
            let len = self.len(1)?;
            let name = std::str::from_utf8(self.take(len)?)
                .map_err(|_| format!("{what} id is not UTF-8"))?;
            map.push_new(name)
                .map_err(|d| format!("duplicate {what} id \"{d}\""))?;
        }
        Ok(map)
    }

    pub fn finish(&self) -> R<()> {
        if self.pos == self.buf.len() {
            Ok(())
        } else {
            Err(format!(
                "section \"{}\" has {} unread bytes",
                self.section,
                self.buf.len() - self.pos
            ))
        }
    }
}

/// Reads typed columns from a stream (a section of a model file on disk), without
/// holding the section's bytes: each column is read straight into its vector through a
/// small buffer. Tracks the bytes left in the section, and its CRC-32 when asked.
pub(crate) struct ReadDec<Rd> {
    r: Rd,
    left: u64,
    crc: Option<crc32fast::Hasher>,
    section: &'static str,
    at: u64,
}

/// Bytes per read of [`ReadDec`].
const STREAM_BUF: usize = 1 << 16;

impl<Rd: std::io::Read> ReadDec<Rd> {
    /// A decoder of the `len` bytes of `section` that `r` yields; with `crc`, it
    /// hashes what it reads so [`ReadDec::finish`] can compare.
    pub fn new(r: Rd, len: u64, section: &'static str, crc: bool) -> Self {
        ReadDec {
            r,
            left: len,
            crc: crc.then(crc32fast::Hasher::new),
            section,
            at: 0,
        }
    }

    fn fill(&mut self, buf: &mut [u8]) -> R<()> {
        let n = buf.len() as u64;
        if n > self.left {
            return Err(format!(
                "section \"{}\" ends early: needs {n} bytes at offset {}, has {}",
                self.section, self.at, self.left
            ));
        }
        self.r.read_exact(buf).map_err(|e| {
            format!(
                "section \"{}\": cannot read {n} bytes at offset {}: {e}",
                self.section, self.at
            )
        })?;
        if let Some(h) = &mut self.crc {
            h.update(buf);
        }
        self.left -= n;
        self.at += n;
        Ok(())
    }

    pub fn u64(&mut self) -> R<u64> {
        let mut a = [0u8; 8];
        self.fill(&mut a)?;
        Ok(u64::from_le_bytes(a))
    }

    pub fn len(&mut self, elem: usize) -> R<usize> {
        let n = self.u64()?;
        // A length must fit in the bytes left; this stops huge allocations on corrupt input.
        if n.saturating_mul(elem.max(1) as u64) > self.left {
            return Err(format!(
                "section \"{}\": a column of {n} elements does not fit in the {} bytes left",
                self.section, self.left
            ));
        }
        usize::try_from(n)
            .map_err(|_| format!("section \"{}\": length {n} too large", self.section))
    }

    /// A column of `N`-byte values, converted by `from`.
    fn column<T, const N: usize>(&mut self, from: fn([u8; N]) -> T) -> R<Vec<T>> {
        let n = self.len(N)?;
        let mut out = Vec::with_capacity(n);
        let mut buf = vec![0u8; STREAM_BUF];
        let mut todo = n;
        while todo > 0 {
            let take = todo.min(STREAM_BUF / N);
            let bytes = &mut buf[..take * N];
            self.fill(bytes)?;
            out.extend(bytes.chunks_exact(N).map(|c| {
                let mut a = [0u8; N];
                a.copy_from_slice(c);
                from(a)
            }));
            todo -= take;
        }
        Ok(out)
    }

    pub fn u32s(&mut self) -> R<Vec<u32>> {
        self.column(u32::from_le_bytes)
    }

    pub fn i64s(&mut self) -> R<Vec<i64>> {
        self.column(i64::from_le_bytes)
    }

    /// Checks that the section was read to its end; returns its CRC-32 when hashed.
    pub fn finish(self) -> R<Option<u32>> {
        if self.left != 0 {
            return Err(format!(
                "section \"{}\" has {} unread bytes",
                self.section, self.left
            ));
        }
        Ok(self.crc.map(crc32fast::Hasher::finalize))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_columns_equal_sliced_ones_across_buffer_refills() {
        let a: Vec<u32> = (0..100_003u32)
            .map(|i| i.wrapping_mul(2_654_435_761))
            .collect();
        let b: Vec<i64> = (0..40_000).map(|i| i64::MIN / 3 + i * 1_000_003).collect();
        let mut e = Enc::default();
        e.u32s(&a);
        e.i64s(&b);
        let bytes = e.buf;
        let mut d = Dec::new(&bytes, "t");
        assert_eq!(
            (d.u32s().unwrap(), d.i64s().unwrap()),
            (a.clone(), b.clone())
        );
        let mut r = ReadDec::new(&bytes[..], bytes.len() as u64, "t", true);
        assert_eq!((r.u32s().unwrap(), r.i64s().unwrap()), (a, b));
        assert_eq!(r.finish().unwrap(), Some(crc32fast::hash(&bytes)));
    }

    #[test]
    fn streamed_reads_stop_at_the_section_end() {
        let mut e = Enc::default();
        e.u32s(&[1, 2, 3]);
        let bytes = e.buf;
        // A length beyond the section is refused before any allocation.
        let mut r = ReadDec::new(&bytes[..], 12, "t", false);
        let err = r.u32s().unwrap_err();
        assert!(err.contains("does not fit in the 4 bytes left"), "{err}");
        // Bytes left over are an error.
        let mut long = bytes.clone();
        long.push(0);
        let mut r = ReadDec::new(&long[..], long.len() as u64, "t", false);
        assert_eq!(r.u32s().unwrap(), vec![1, 2, 3]);
        assert_eq!(r.finish().unwrap_err(), "section \"t\" has 1 unread bytes");
        // A stream shorter than it claims names the offset.
        let mut r = ReadDec::new(&bytes[..10], bytes.len() as u64, "t", false);
        let err = r.u32s().unwrap_err();
        assert!(err.contains("cannot read 12 bytes at offset 8"), "{err}");
    }
}
