//! The sparse matrix the interaction models fit on: compressed sparse rows with `u32`
//! column indices and `f32` values, built by sort then compress (rows are promoters or
//! items).

use crate::data::History;

/// A sparse matrix in compressed rows: row `r`'s entries are `ptr[r]..ptr[r + 1]`,
/// columns ascending within a row, one value per entry.
#[derive(Debug, Clone, Default)]
pub(crate) struct Csr {
    /// Row starts, one more than the rows.
    pub ptr: Vec<usize>,
    /// Column index per entry.
    pub col: Vec<u32>,
    /// Value per entry.
    pub val: Vec<f32>,
}

impl Csr {
    /// The promoter × item matrix of completed-order counts, or of summed entry
    /// weights when the history carries them (pairs summing to zero or less left out;
    /// items ≥ `n_items` skipped).
    pub(crate) fn counts(history: &History, n_items: usize) -> Csr {
        let mut ptr = Vec::with_capacity(history.n_promoters() + 1);
        ptr.push(0);
        let mut col = Vec::with_capacity(history.nnz());
        let mut val = Vec::with_capacity(history.nnz());
        let mut row: Vec<(u32, f32)> = Vec::new();
        for p in 0..history.n_promoters() as u32 {
            row.clear();
            let weights = history.weights(p);
            row.extend(
                history
                    .items(p)
                    .iter()
                    .enumerate()
                    .filter(|&(_, &i)| (i as usize) < n_items)
                    .map(|(j, &i)| (i, weights.and_then(|w| w.get(j)).map_or(1.0, |&w| w))),
            );
            row.sort_unstable_by_key(|&(i, _)| i);
            let mut k = 0;
            while k < row.len() {
                let i = row[k].0;
                let run = row[k..].iter().take_while(|&&(x, _)| x == i).count();
                let v: f32 = row[k..k + run].iter().map(|&(_, w)| w).sum();
                // A refund weighed below zero can cancel a pair out.
                if v > 0.0 {
                    col.push(i);
                    val.push(v);
                }
                k += run;
            }
            ptr.push(col.len());
        }
        Csr { ptr, col, val }
    }

    /// The number of rows.
    pub(crate) fn n_rows(&self) -> usize {
        self.ptr.len().saturating_sub(1)
    }

    /// Row `r`'s columns and values (empty past the last row).
    pub(crate) fn row(&self, r: usize) -> (&[u32], &[f32]) {
        match (self.ptr.get(r), self.ptr.get(r + 1)) {
            (Some(&a), Some(&b)) => (&self.col[a..b], &self.val[a..b]),
            _ => (&[], &[]),
        }
    }

    /// The transpose, with `n_cols` rows; entries of a row in ascending column order
    /// (entries at columns ≥ `n_cols` are dropped).
    pub(crate) fn transpose(&self, n_cols: usize) -> Csr {
        let mut ptr = vec![0usize; n_cols + 1];
        for &c in &self.col {
            if let Some(x) = ptr.get_mut(c as usize + 1) {
                *x += 1;
            }
        }
        for c in 0..n_cols {
            ptr[c + 1] += ptr[c];
        }
        let mut next = ptr.clone();
        let mut col = vec![0u32; self.col.len()];
        let mut val = vec![0f32; self.col.len()];
        for r in 0..self.n_rows() {
            let (cs, vs) = self.row(r);
            for (&c, &v) in cs.iter().zip(vs) {
                if let Some(slot) = next.get_mut(c as usize) {
                    col[*slot] = r as u32;
                    val[*slot] = v;
                    *slot += 1;
                }
            }
        }
        col.truncate(ptr[n_cols]);
        val.truncate(ptr[n_cols]);
        Csr { ptr, col, val }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_twice_is_the_identity() {
        let m = Csr {
            ptr: vec![0, 2, 2, 5],
            col: vec![1, 3, 0, 1, 2],
            val: vec![1.0, 2.0, 3.0, 4.0, 5.0],
        };
        let t = m.transpose(4);
        assert_eq!(t.ptr, vec![0, 1, 3, 4, 5]);
        assert_eq!(t.row(1), (&[0u32, 2][..], &[1.0f32, 4.0][..]));
        let back = t.transpose(3);
        assert_eq!(m.row(9), (&[][..], &[][..]));
        assert_eq!((back.ptr, back.col, back.val), (m.ptr, m.col, m.val));
    }
}
