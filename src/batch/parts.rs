//! Batch output as part files: one complete file per chunk of promoters, each written
//! atomically, so a run that dies leaves only whole parts and a rerun with `resume`
//! skips them. A `manifest.json` written last (atomically) marks a finished run and
//! records what produced it.

use super::{rank_chunks, Progress};
use crate::atomic::write_atomic;
use crate::error::{Error, Result};
use crate::io::{write_ranked, Format, RankedList};
use crate::model_file::fingerprint;
use crate::rank::{check_k, Ranker};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Settings of a part-file batch run.
#[derive(Debug, Clone, PartialEq)]
pub struct PartsOptions {
    /// Items per promoter.
    pub k: usize,
    /// Promoters per part file, at least 1. Default 10 000.
    pub chunk: usize,
    /// Part file format. Default Parquet.
    pub format: Format,
    /// Keep finished parts of an earlier run with the same settings and rank only the
    /// missing ones. Default false (an existing run folder is an error).
    pub resume: bool,
}

impl Default for PartsOptions {
    fn default() -> Self {
        PartsOptions {
            k: 20,
            chunk: 10_000,
            format: Format::Parquet,
            resume: false,
        }
    }
}

/// What a batch run did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartsReport {
    /// Promoters in the run.
    pub promoters: usize,
    /// Parts in the run.
    pub parts: usize,
    /// Parts ranked by this call (the rest were kept from an earlier run).
    pub parts_written: usize,
    /// Rows written by this call.
    pub rows_written: usize,
    /// Seconds this call took.
    pub seconds: f64,
    /// Items per promoter.
    pub k: usize,
    /// Promoters per part.
    pub chunk: usize,
    /// Number of promoters the model does not know (cold-start lists).
    pub cold_start: usize,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct RunKey {
    k: usize,
    chunk: usize,
    promoters: usize,
    format: String,
    ids_crc32: u32,
    /// The model's kind and fingerprint ([`crate::model_file::fingerprint`]), e.g.
    /// `profile 1a2b3c4d`; empty in a run folder written before it was recorded.
    #[serde(default)]
    model: String,
}

fn part_path(dir: &Path, part: usize, format: Format) -> PathBuf {
    dir.join(format!("part-{part:05}.{}", format.extension()))
}

/// Whether `name` is the temporary file of a part, the run key or the manifest that a
/// killed run left behind: `.part-00003.csv.tmp-4242` or `.manifest.json.tmp-4242`
/// (older versions named the small JSON files `.manifest.json.4242.tmp`).
fn is_stray_temp(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('.') else {
        return false;
    };
    let ours = ["part-", "run.json.", "manifest.json."]
        .iter()
        .any(|p| rest.starts_with(p));
    let pid_suffix = rest
        .rsplit_once(".tmp-")
        .is_some_and(|(_, pid)| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()));
    ours && (rest.ends_with(".tmp") || pid_suffix)
}

fn ids_crc(ids: &[String]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    for id in ids {
        h.update(id.as_bytes());
        h.update(&[0]);
    }
    h.finalize()
}

/// Ranks `promoter_ids` into part files `part-00000.<ext>`, … in `dir` (created if
/// missing), then writes `manifest.json`. Same rows as [`Ranker::rank`] per promoter.
///
/// # Errors
/// [`Error::InvalidRequest`] when `k` is outside 1..=[`crate::rank::MAX_K`] or `chunk`
/// is 0 (both checked before anything is written), when `dir` already holds a run and `resume` is off, or
/// a run with different settings or ranked by another model (told by its kind and
/// [`crate::model_file::fingerprint`], both named in the message); [`Error::Io`]
/// naming the file that cannot be written; errors of [`Ranker::rank`].
///
/// # Examples
/// ```
/// use kocrank::{batch, synth, train, Config, Ranker};
/// let world = synth::generate(synth::Scale::Tiny, 2).unwrap();
/// let ranker = Ranker::new(train(&world.dataset, &Config::with_model(kocrank::ModelKind::Baseline)).unwrap());
/// let ids: Vec<String> = world.dataset.promoters().ids.names().map(String::from).collect();
/// let dir = tempfile::tempdir().unwrap();
/// let opts = batch::PartsOptions { k: 5, chunk: 64, ..Default::default() };
/// let report = batch::rank_to_parts(&ranker, &ids, dir.path(), &opts, |_| {}).unwrap();
/// assert_eq!(report.rows_written, ids.len() * 5);
/// // Running again into the same folder needs `resume`, which then has nothing to do.
/// assert!(batch::rank_to_parts(&ranker, &ids, dir.path(), &opts, |_| {}).is_err());
/// let again = batch::PartsOptions { resume: true, ..opts };
/// assert_eq!(batch::rank_to_parts(&ranker, &ids, dir.path(), &again, |_| {}).unwrap().parts_written, 0);
/// ```
pub fn rank_to_parts<P>(
    ranker: &Ranker,
    promoter_ids: &[String],
    dir: &Path,
    opts: &PartsOptions,
    progress: P,
) -> Result<PartsReport>
where
    P: Fn(Progress) + Sync,
{
    let t0 = Instant::now();
    // Settings are checked before anything is written: a refused run leaves no trace
    // that would stand in the way of the corrected one.
    check_k(opts.k)?;
    super::check_chunk(opts.chunk)?;
    let model = ranker.model();
    let key = RunKey {
        k: opts.k,
        chunk: opts.chunk,
        promoters: promoter_ids.len(),
        format: opts.format.extension().to_string(),
        ids_crc32: ids_crc(promoter_ids),
        model: format!("{} {:08x}", model.kind(), fingerprint(model)?),
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let key_path = dir.join("run.json");
    let existing_parts = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok())
        .any(|e| e.file_name().to_string_lossy().starts_with("part-"));
    if key_path.exists() || existing_parts {
        if !opts.resume {
            return Err(Error::InvalidRequest {
                field: "resume",
                message: format!("{} already holds a batch run; pass resume to finish it, or use an empty folder", dir.display()),
            });
        }
        let text = std::fs::read_to_string(&key_path).map_err(|e| Error::io(&key_path, e))?;
        let old: RunKey = serde_json::from_str(&text).map_err(|e| {
            Error::invalid(
                crate::Location::source(key_path.display().to_string()),
                e.to_string(),
            )
        })?;
        if old.model != key.model {
            let was = if old.model.is_empty() {
                "an unrecorded model".to_string()
            } else {
                format!("model {}", old.model)
            };
            return Err(Error::InvalidRequest {
                field: "resume",
                message: format!(
                    "{} holds parts ranked by {was}, not by this model ({}); resume needs the same model, or use an empty folder",
                    dir.display(),
                    key.model
                ),
            });
        }
        if old != key {
            return Err(Error::InvalidRequest {
                field: "resume",
                message: format!(
                    "{} holds a run with other settings (k {}, chunk {}, {} promoters); resume needs the same k, chunk and promoter list",
                    dir.display(),
                    old.k,
                    old.chunk,
                    old.promoters
                ),
            });
        }
    } else {
        write_atomic(&key_path, |w| {
            serde_json::to_writer_pretty(&mut *w, &key).map_err(|e| Error::io(&key_path, e.into()))
        })?;
    }
    // Stray temporary files from a run that died are not parts; remove them.
    for entry in std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_stray_temp(&name) {
            std::fs::remove_file(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
        }
    }
    let (mut parts_written, mut rows_written) = (0usize, 0usize);
    let cold_start = promoter_ids
        .iter()
        .filter(|id| model.promoters().ids.get(id).is_none())
        .count();
    rank_chunks(
        ranker,
        promoter_ids,
        opts.k,
        key.chunk,
        |part| opts.resume && part_path(dir, part, opts.format).exists(),
        |part, ids, lists| {
            let mut out = RankedList::default();
            for (id, list) in ids.iter().zip(&lists) {
                for (pos, r) in list.iter().enumerate() {
                    out.push(id, pos as u32 + 1, &r.item_id, r.score);
                }
            }
            write_ranked(&part_path(dir, part, opts.format), &out)?;
            parts_written += 1;
            rows_written += out.len();
            Ok(())
        },
        progress,
    )?;
    let report = PartsReport {
        promoters: promoter_ids.len(),
        parts: promoter_ids.len().div_ceil(key.chunk),
        parts_written,
        rows_written,
        seconds: t0.elapsed().as_secs_f64(),
        k: opts.k,
        chunk: key.chunk,
        cold_start,
    };
    let manifest = dir.join("manifest.json");
    write_atomic(&manifest, |w| {
        serde_json::to_writer_pretty(&mut *w, &report).map_err(|e| Error::io(&manifest, e.into()))
    })?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::is_stray_temp;

    #[test]
    fn stray_temporary_files_are_told_from_parts() {
        for stray in [
            ".part-00003.csv.tmp-4242",
            ".part-00000.parquet.tmp-1",
            ".manifest.json.4242.tmp",
            ".run.json.77.tmp",
        ] {
            assert!(is_stray_temp(stray), "{stray}");
        }
        for kept in [
            "part-00003.csv",
            "manifest.json",
            "run.json",
            ".part-00003.csv.tmp-",
            ".notes.tmp",
            ".part-1.csv.tmp-12a",
        ] {
            assert!(!is_stray_temp(kept), "{kept}");
        }
    }
}
