//! The model file: a versioned binary format with a section table and a CRC-32 per
//! section, written atomically.
//!
//! ```text
//! offset 0   magic  "KOCRANK\0"                      8 bytes
//!        8   format version (u32 LE)                 4 bytes
//!       12   section count n (u32 LE)                4 bytes
//!       16   n × { name [u8; 16], offset u64, length u64, crc32 u32 }
//!            section bodies, in table order
//! ```
//! Sections: `meta` (JSON: kocrank version, config, training time, counts), `catalog`,
//! `promoters`, `history` (little-endian columns). Cheap statistics (review smoothing,
//! popularity, repeat rates) are refitted from these on load, deterministically, so a
//! loaded model ranks exactly as the saved one.
//!
//! Loading checks the magic, the version, every section's bounds and checksum, and
//! every index (an item index in the history must be in the catalogue, and so on); any
//! failure is an [`Error::CorruptModel`] or [`Error::IncompatibleModel`] naming the file.

use crate::atomic::write_atomic;
use crate::blend::trees::Trees;
use crate::blend::{Fitted, Learner};
use crate::codec::{Dec, Enc, ReadDec};
use crate::config::Config;
use crate::config::ModelKind;
use crate::data::bytes::{
    check_len, decode_catalog, decode_promoters, encode_catalog, encode_promoters,
};
use crate::data::time::{check_ts, MAX_TS};
use crate::data::History;
use crate::error::{Error, Result};
use crate::model::{BlendSignal, Model, Signal};
use crate::signals::ease::Ease;
use crate::signals::ials::Ials;
use crate::signals::item_knn::ItemKnn;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Arc;

/// The first 8 bytes of every model file.
pub const MAGIC: &[u8; 8] = b"KOCRANK\0";
/// The format version this build writes. Version 2 stores the iALS Gram matrix
/// (version 1 files load and recompute it).
pub const FORMAT_VERSION: u32 = 2;
/// The oldest format version this build reads.
pub const OLDEST_SUPPORTED_VERSION: u32 = 1;

const HEADER: usize = 16;
const ENTRY: usize = 16 + 8 + 8 + 4;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Meta {
    kocrank_version: String,
    config: Config,
    trained_until: i64,
    n_items: usize,
    n_promoters: usize,
    /// What `auto` tried and chose (absent for a model trained by name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    selection: Option<crate::selection::Selection>,
}

/// Saves `model` to `path` atomically (temporary file, fsync, rename, then a fsync of
/// the directory).
///
/// # Errors
/// [`Error::Io`] naming the path when it cannot be written.
///
/// # Examples
/// ```
/// # use kocrank::{synth, train, Config, model_file};
/// # let world = synth::generate(synth::Scale::Tiny, 1).unwrap();
/// let model = train(&world.dataset, &Config::with_model(kocrank::ModelKind::Baseline))?;
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("model.kocrank");
/// model_file::save(&model, &path)?;
/// let back = model_file::load(&path)?;
/// assert_eq!(back.catalog().len(), model.catalog().len());
/// // Anything that is not a model file gives a clear error.
/// std::fs::write(&path, b"hello").unwrap();
/// assert!(model_file::load(&path).unwrap_err().to_string().contains("corrupt model file"));
/// # Ok::<(), kocrank::Error>(())
/// ```
pub fn save(model: &Model, path: &Path) -> Result<()> {
    let sections = encode_sections(model)?;
    let head = file_head(&sections);
    write_atomic(path, |w| {
        w.write_all(&head).map_err(|e| Error::io(path, e))?;
        for (_, body) in &sections {
            w.write_all(body).map_err(|e| Error::io(path, e))?;
        }
        Ok(())
    })
}

/// Loads a model saved by [`save`].
///
/// The file is read section by section, and the history (the largest part, one entry
/// per order) is decoded straight from the file into its columns, so loading never
/// holds the whole file and the decoded model at once.
///
/// # Errors
/// [`Error::Io`] when the file cannot be read; [`Error::IncompatibleModel`] for a
/// format version this build does not read; [`Error::CorruptModel`] for a truncated,
/// corrupted or foreign file.
pub fn load(path: &Path) -> Result<Model> {
    let io = |e| Error::io(path, e);
    let mut file = File::open(path).map_err(io)?;
    let total = file.metadata().map_err(io)?.len();
    let mut head = vec![0u8; HEADER.min(total as usize)];
    file.read_exact(&mut head).map_err(io)?;
    if head.len() == HEADER && (HEADER as u64) < total {
        let count = u32::from_le_bytes([head[12], head[13], head[14], head[15]]) as u64;
        let table = (count.min(65) as usize) * ENTRY;
        let mut rest = vec![0u8; table.min((total - HEADER as u64) as usize)];
        file.read_exact(&mut rest).map_err(io)?;
        head.extend_from_slice(&rest);
    }
    let entries = parse_table(&head, total, path)?;
    let fp = table_fingerprint(&entries);
    let mut bodies: Vec<(String, Vec<u8>)> = Vec::with_capacity(entries.len());
    let mut history = None;
    for e in entries {
        if e.name == "history" {
            history = Some(e);
            continue;
        }
        file.seek(SeekFrom::Start(e.off)).map_err(io)?;
        let mut body = vec![0u8; e.len as usize];
        file.read_exact(&mut body).map_err(io)?;
        check_crc(&e, &body, path)?;
        bodies.push((e.name, body));
    }
    let found: Vec<(String, &[u8])> = bodies.iter().map(|(n, b)| (n.clone(), &b[..])).collect();
    let history = history.ok_or_else(|| corrupt(path, "section \"history\" is missing".into()))?;
    assemble(path, &found, |n_items, n_promoters| {
        let read = || -> Result<(HistoryColumns, Option<u32>), String> {
            let mut f = File::open(path).map_err(|e| e.to_string())?;
            f.seek(SeekFrom::Start(history.off))
                .map_err(|e| e.to_string())?;
            let r = BufReader::new(f).take(history.len);
            let mut d = ReadDec::new(r, history.len, "history", true);
            let cols = HistoryColumns::read(&mut d)?;
            Ok((cols, d.finish()?))
        };
        let damaged = || "section \"history\" fails its checksum; the file is damaged".to_string();
        match read() {
            Ok((cols, crc)) => {
                if crc != Some(history.crc) {
                    return Err(damaged());
                }
                cols.check(n_items, n_promoters)
            }
            // A decode error in a damaged section is reported as the damage.
            Err(m) => match crc_of(path, &history) {
                Ok(c) if c != history.crc => Err(damaged()),
                _ => Err(m),
            },
        }
    })
    .map(|m| Model {
        file_fingerprint: Some(fp),
        ..m
    })
}

/// A fingerprint of a model's content: a CRC-32 over its model file's section table,
/// that is each section's name, length and CRC-32. A model loaded from a file has the
/// fingerprint of that file (read from its table, nothing is re-encoded); a model built
/// in memory is encoded once to compute it. Two models with different fingerprints
/// were trained differently (or on different data), so their lists may differ.
///
/// # Errors
/// Only if the model cannot be encoded (as [`to_bytes`]).
///
/// # Examples
/// ```
/// # use kocrank::{synth, train, Config, model_file, ModelKind};
/// # let world = synth::generate(synth::Scale::Tiny, 1).unwrap();
/// let a = train(&world.dataset, &Config::with_model(ModelKind::Baseline))?;
/// let b = train(&world.dataset, &Config::with_model(ModelKind::Popularity))?;
/// assert_ne!(model_file::fingerprint(&a)?, model_file::fingerprint(&b)?);
/// let back = model_file::from_bytes(&model_file::to_bytes(&a)?, "a.kocrank".as_ref())?;
/// assert_eq!(model_file::fingerprint(&back)?, model_file::fingerprint(&a)?);
/// # Ok::<(), kocrank::Error>(())
/// ```
pub fn fingerprint(model: &Model) -> Result<u32> {
    if let Some(fp) = model.file_fingerprint {
        return Ok(fp);
    }
    let entries: Vec<Entry> = encode_sections(model)?
        .iter()
        .map(|(name, body)| Entry {
            name: (*name).to_string(),
            off: 0,
            len: body.len() as u64,
            crc: crc32fast::hash(body),
        })
        .collect();
    Ok(table_fingerprint(&entries))
}

/// CRC-32 over the names, lengths and checksums of a section table.
fn table_fingerprint(entries: &[Entry]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    for e in entries {
        let mut n = [0u8; 16];
        let name = e.name.as_bytes();
        let take = name.len().min(16);
        n[..take].copy_from_slice(&name[..take]);
        h.update(&n);
        h.update(&e.len.to_le_bytes());
        h.update(&e.crc.to_le_bytes());
    }
    h.finalize()
}

/// CRC-32 of a section as it lies in the file at `path`.
fn crc_of(path: &Path, e: &Entry) -> std::io::Result<u32> {
    let mut f = File::open(path)?;
    f.seek(SeekFrom::Start(e.off))?;
    let mut r = BufReader::new(f).take(e.len);
    let mut h = crc32fast::Hasher::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = r.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize())
}

/// Encodes a model as the bytes of a model file.
///
/// # Errors
/// Only if the configuration cannot be encoded (not expected).
pub fn to_bytes(model: &Model) -> Result<Vec<u8>> {
    let sections = encode_sections(model)?;
    let mut out = file_head(&sections);
    for (_, body) in &sections {
        out.extend_from_slice(body);
    }
    Ok(out)
}

/// The named section bodies of `model`, in file order.
fn encode_sections(model: &Model) -> Result<Vec<(&'static str, Vec<u8>)>> {
    let meta = Meta {
        kocrank_version: env!("CARGO_PKG_VERSION").to_string(),
        config: model.config.clone(),
        trained_until: model.trained_until,
        n_items: model.catalog.len(),
        n_promoters: model.promoters.len(),
        selection: model.selection.as_deref().cloned(),
    };
    let meta = serde_json::to_vec(&meta)
        .map_err(|e| Error::Internal(format!("cannot encode model metadata: {e}")))?;
    let mut sections: Vec<(&'static str, Vec<u8>)> = vec![
        ("meta", meta),
        ("catalog", encode_catalog(&model.catalog)),
        ("promoters", encode_promoters(&model.promoters)),
        ("history", encode_history(&model.history)),
    ];
    if let Some(learned) = encode_learned(&model.signal) {
        sections.push(("learned", learned));
    }
    // Optional: a model without newcomers' shares (or from an older file) has none.
    if model.newcomer_shares.nnz() > 0 {
        sections.push(("newcomer_shares", encode_history(&model.newcomer_shares)));
    }
    // Optional: only a blend with share features keeps every promoter's last shares.
    if model.recent_shares.nnz() > 0 {
        sections.push(("recent_shares", encode_history(&model.recent_shares)));
    }
    Ok(sections)
}

/// The header and section table of a file of `sections` (the bodies follow, in order).
fn file_head(sections: &[(&'static str, Vec<u8>)]) -> Vec<u8> {
    let mut head = Vec::with_capacity(HEADER + ENTRY * sections.len());
    head.extend_from_slice(MAGIC);
    head.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    head.extend_from_slice(&(sections.len() as u32).to_le_bytes());
    let mut offset = (HEADER + ENTRY * sections.len()) as u64;
    for (name, body) in sections {
        let mut n = [0u8; 16];
        n[..name.len()].copy_from_slice(name.as_bytes());
        head.extend_from_slice(&n);
        head.extend_from_slice(&offset.to_le_bytes());
        head.extend_from_slice(&(body.len() as u64).to_le_bytes());
        head.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
        offset += body.len() as u64;
    }
    head
}

fn corrupt(path: &Path, message: String) -> Error {
    Error::CorruptModel {
        path: path.to_path_buf(),
        message,
    }
}

/// One entry of the section table.
struct Entry {
    name: String,
    off: u64,
    len: u64,
    crc: u32,
}

/// Checks the magic bytes, the version and the section table in `head` (the file's
/// first bytes, at least the table when the file holds it) against a file of `total`
/// bytes.
fn parse_table(head: &[u8], total: u64, path: &Path) -> Result<Vec<Entry>> {
    if head.len() < HEADER || &head[..8] != MAGIC {
        return Err(corrupt(
            path,
            "not a kocrank model file (bad magic bytes)".into(),
        ));
    }
    let u32_at =
        |at: usize| u32::from_le_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]]);
    let version = u32_at(8);
    if !(OLDEST_SUPPORTED_VERSION..=FORMAT_VERSION).contains(&version) {
        return Err(Error::IncompatibleModel {
            path: path.to_path_buf(),
            found: version,
            oldest: OLDEST_SUPPORTED_VERSION,
            newest: FORMAT_VERSION,
        });
    }
    let count = u32_at(12) as usize;
    if count > 64 || HEADER + count * ENTRY > head.len() {
        return Err(corrupt(
            path,
            format!("section table of {count} entries does not fit in {total} bytes"),
        ));
    }
    let mut entries = Vec::with_capacity(count);
    for s in 0..count {
        let e = &head[HEADER + s * ENTRY..HEADER + (s + 1) * ENTRY];
        let name: String = e[..16]
            .iter()
            .take_while(|&&b| b != 0)
            .map(|&b| b as char)
            .collect();
        let rd = |a: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&e[a..a + 8]);
            u64::from_le_bytes(b)
        };
        let (off, len) = (rd(16), rd(24));
        let crc = u32::from_le_bytes([e[32], e[33], e[34], e[35]]);
        if !matches!(off.checked_add(len), Some(end) if end <= total) {
            return Err(corrupt(path, format!("section \"{name}\" (offset {off}, {len} bytes) lies beyond the end of the file ({total} bytes); the file is truncated")));
        }
        entries.push(Entry {
            name,
            off,
            len,
            crc,
        });
    }
    Ok(entries)
}

fn check_crc(e: &Entry, body: &[u8], path: &Path) -> Result<()> {
    if crc32fast::hash(body) != e.crc {
        return Err(corrupt(
            path,
            format!(
                "section \"{}\" fails its checksum; the file is damaged",
                e.name
            ),
        ));
    }
    Ok(())
}

/// Decodes the bytes of a model file; `path` is only used in error messages.
///
/// # Errors
/// As [`load`].
pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Model> {
    let entries = parse_table(bytes, bytes.len() as u64, path)?;
    let fp = table_fingerprint(&entries);
    let mut found: Vec<(String, &[u8])> = Vec::with_capacity(entries.len());
    for e in entries {
        // In bounds: parse_table checked every section against the length.
        let body = bytes
            .get(e.off as usize..(e.off + e.len) as usize)
            .unwrap_or_default();
        check_crc(&e, body, path)?;
        found.push((e.name, body));
    }
    let history = found
        .iter()
        .find(|(n, _)| n == "history")
        .map(|(_, b)| *b)
        .ok_or_else(|| corrupt(path, "section \"history\" is missing".into()))?;
    assemble(path, &found, |n_items, n_promoters| {
        let mut d = ReadDec::new(history, history.len() as u64, "history", false);
        let cols = HistoryColumns::read(&mut d)?;
        d.finish()?;
        cols.check(n_items, n_promoters)
    })
    .map(|m| Model {
        file_fingerprint: Some(fp),
        ..m
    })
}

/// Builds the model from its checked sections (`history` decodes the history, given
/// the item and promoter counts).
fn assemble(
    path: &Path,
    found: &[(String, &[u8])],
    history: impl FnOnce(usize, usize) -> Result<History, String> + Send,
) -> Result<Model> {
    let section = |name: &str| {
        found
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| *b)
            .ok_or_else(|| corrupt(path, format!("section \"{name}\" is missing")))
    };
    let meta: Meta = serde_json::from_slice(section("meta")?)
        .map_err(|e| corrupt(path, format!("section \"meta\" does not parse: {e}")))?;
    meta.config
        .validate()
        .map_err(|e| corrupt(path, format!("stored config is invalid: {e}")))?;
    // One second after the last order, so at most one past the latest timestamp.
    if !(0..=MAX_TS + 1).contains(&meta.trained_until) {
        return Err(corrupt(
            path,
            format!("trained_until {} is outside 1970..2100", meta.trained_until),
        ));
    }
    let (catalog_bytes, promoters_bytes) = (section("catalog")?, section("promoters")?);
    // The catalogue's ids and the learned factors are the two large parts: decode them
    // side by side.
    let (tables, learned) = rayon::join(
        || -> Result<_, String> {
            let catalog = decode_catalog(catalog_bytes)?;
            let promoters = decode_promoters(promoters_bytes)?;
            let history = history(catalog.len(), promoters.len())?;
            Ok((catalog, promoters, history))
        },
        || decode_learned(&meta.config, found, meta.n_items, meta.n_promoters),
    );
    let (catalog, promoters, history) = tables.map_err(|m| corrupt(path, m))?;
    if catalog.len() != meta.n_items || promoters.len() != meta.n_promoters {
        return Err(corrupt(
            path,
            format!(
                "counts disagree: meta says {} items and {} promoters, sections hold {} and {}",
                meta.n_items,
                meta.n_promoters,
                catalog.len(),
                promoters.len()
            ),
        ));
    }
    let learned = learned.map_err(|m| corrupt(path, m))?;
    let history_section = |name: &'static str| -> Result<History> {
        Ok(match found.iter().find(|(n, _)| n == name) {
            Some((_, b)) => {
                let mut d = ReadDec::new(*b, b.len() as u64, name, false);
                HistoryColumns::read(&mut d)
                    .and_then(|c| d.finish().map(|_| c))
                    .and_then(|c| c.check(catalog.len(), promoters.len()))
                    .map_err(|m| corrupt(path, format!("section \"{name}\": {m}")))?
            }
            None => History::default(),
        })
    };
    let newcomer_shares = history_section("newcomer_shares")?;
    let recent_shares = history_section("recent_shares")?;
    Model::from_parts(
        meta.config,
        Arc::new(catalog),
        Arc::new(promoters),
        history,
        meta.trained_until,
        learned,
    )
    .map(|mut m| {
        m.selection = meta.selection.map(Arc::new);
        m.newcomer_shares = newcomer_shares;
        m.recent_shares = recent_shares;
        m
    })
    .map_err(|e| match e {
        // A part the file should hold and does not: the file's fault, not a bug.
        Error::Internal(m) => corrupt(path, m),
        e => corrupt(path, e.to_string()),
    })
}

/// The `learned` section of a model whose scorer is a learned signal.
fn encode_learned(signal: &Signal) -> Option<Vec<u8>> {
    match signal {
        Signal::Baseline(_) | Signal::Popularity(_) | Signal::Profile(_) | Signal::BuyAgain(_) => {
            None
        }
        Signal::Ials(m) => {
            let mut e = Enc::default();
            m.encode(&mut e);
            Some(e.buf)
        }
        Signal::ItemKnn(k) => Some(encode_item_knn(k)),
        Signal::Ease(e) => Some(encode_ease(e)),
        Signal::Blend(b) => {
            let mut e = Enc::default();
            let mut params = BlendParams {
                names: b.blend.names.clone(),
                mean: b.blend.mean.clone(),
                sd: b.blend.sd.clone(),
                bias: 0.0,
                weights: Vec::new(),
                iterations: 0,
                trees: None,
                scale: 0.0,
                shift: 0.0,
                value_cap: b.blend.value_cap,
            };
            match &b.blend.fitted {
                Fitted::Logistic(l) => {
                    params.bias = l.bias;
                    params.weights = l.weights.clone();
                    params.iterations = l.iterations;
                }
                Fitted::Trees {
                    trees,
                    scale,
                    shift,
                } => {
                    params.trees = Some(trees.clone());
                    params.scale = *scale;
                    params.shift = *shift;
                }
            }
            e.u8s(&serde_json::to_vec(&params).unwrap_or_default());
            let learned: Vec<(&ModelKind, Vec<u8>)> = b
                .components
                .iter()
                .filter_map(|(k, s)| encode_learned(s).map(|bytes| (k, bytes)))
                .collect();
            e.len(learned.len());
            for (k, bytes) in learned {
                e.u8s(k.as_str().as_bytes());
                e.u8s(&bytes);
            }
            Some(e.buf)
        }
    }
}

/// The fitted numbers of a blend (its settings live in the config).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BlendParams {
    names: Vec<String>,
    mean: Vec<f32>,
    sd: Vec<f32>,
    #[serde(default)]
    bias: f64,
    #[serde(default)]
    weights: Vec<f64>,
    #[serde(default)]
    iterations: usize,
    /// The boosted trees, for the tree learners.
    #[serde(default)]
    trees: Option<Trees>,
    #[serde(default)]
    scale: f64,
    #[serde(default)]
    shift: f64,
    value_cap: f64,
}

/// Decodes the `learned` section for the configured model kind; `None` for the cheap
/// kinds, which are refitted.
fn decode_learned(
    config: &Config,
    sections: &[(String, &[u8])],
    n_items: usize,
    n_promoters: usize,
) -> Result<Option<Signal>, String> {
    let learned = sections
        .iter()
        .find(|(n, _)| n == "learned")
        .map(|(_, b)| *b);
    match (config.model, learned) {
        (kind, _) if kind.is_cheap() => Ok(None),
        (ModelKind::Auto, _) => Err("a stored model cannot be of kind auto".into()),
        (kind, Some(bytes)) => decode_signal(kind, bytes, config, n_items, n_promoters).map(Some),
        (kind, None) => Err(format!(
            "section \"learned\" is missing for model {}",
            kind.as_str()
        )),
    }
}

/// Decodes one learned signal of `kind`; `n_items` and `n_promoters` bound the
/// indices it may hold.
fn decode_signal(
    kind: ModelKind,
    bytes: &[u8],
    config: &Config,
    n_items: usize,
    n_promoters: usize,
) -> Result<Signal, String> {
    match kind {
        ModelKind::Auto
        | ModelKind::Baseline
        | ModelKind::Popularity
        | ModelKind::Profile
        | ModelKind::BuyAgain => Err(format!("model {} has no learned part", kind.as_str())),
        ModelKind::Ials => {
            let mut d = Dec::new(bytes, "learned");
            let m = Ials::decode(&mut d, &config.ials, n_items, n_promoters)?;
            d.finish()?;
            Ok(Signal::Ials(m))
        }
        ModelKind::ItemKnn => Ok(Signal::ItemKnn(decode_item_knn(bytes, n_items)?)),
        ModelKind::Ease => Ok(Signal::Ease(decode_ease(bytes, n_items)?)),
        ModelKind::Blend => {
            let mut d = Dec::new(bytes, "learned");
            let params: BlendParams = serde_json::from_slice(&d.u8s()?)
                .map_err(|e| format!("blend parameters do not parse: {e}"))?;
            // With or without the share features, as the blend was trained.
            let names = [true, false]
                .map(|s| crate::blend::Blend::feature_names(&config.blend.components, s))
                .into_iter()
                .find(|n| *n == params.names)
                .unwrap_or_else(|| {
                    crate::blend::Blend::feature_names(&config.blend.components, false)
                });
            let n = names.len();
            let fitted = match (config.blend.learner, params.trees) {
                (Learner::Logistic | Learner::SmartcoreLogistic, None)
                    if params.weights.len() == n =>
                {
                    Fitted::Logistic(crate::blend::logistic::Logistic {
                        bias: params.bias,
                        weights: params.weights,
                        iterations: params.iterations,
                    })
                }
                (Learner::Lambdamart | Learner::Binary, Some(trees)) if trees.width == n => {
                    trees.validate()?;
                    Fitted::Trees {
                        trees,
                        scale: params.scale,
                        shift: params.shift,
                    }
                }
                _ => {
                    return Err(format!(
                        "blend parameters do not fit its learner {:?} with {n} features",
                        config.blend.learner
                    ))
                }
            };
            if params.names != names || params.mean.len() != n || params.sd.len() != n {
                return Err(format!(
                    "blend parameters do not match its {n} features ({})",
                    names.join(", ")
                ));
            }
            if params
                .sd
                .iter()
                .any(|&x| x.is_nan() || x <= 0.0 || !x.is_finite())
                || params.mean.iter().any(|x| !x.is_finite())
                || !fitted.is_finite()
                || params.value_cap.is_nan()
                || params.value_cap < 0.0
            {
                return Err("blend parameters are not finite".into());
            }
            let count = d.len(16)?;
            let mut components = Vec::with_capacity(count);
            for _ in 0..count {
                let name = String::from_utf8(d.u8s()?)
                    .map_err(|_| "component name is not UTF-8".to_string())?;
                let k = ModelKind::parse(&name)?;
                if !k.is_component() {
                    return Err(format!("a blend cannot contain {k}"));
                }
                let body = d.u8s()?;
                components.push((k, decode_signal(k, &body, config, n_items, n_promoters)?));
            }
            d.finish()?;
            let blend = crate::blend::Blend {
                config: config.blend.clone(),
                names,
                mean: params.mean,
                sd: params.sd,
                fitted,
                value_cap: params.value_cap,
            };
            Ok(Signal::Blend(Box::new(BlendSignal { blend, components })))
        }
    }
}

/// `item_knn`: row pointers, neighbours, similarities, tie-breaks, half-life.
fn encode_item_knn(k: &ItemKnn) -> Vec<u8> {
    let mut e = Enc::default();
    e.i64s(&k.indptr.iter().map(|&x| x as i64).collect::<Vec<_>>());
    e.u32s(&k.neighbour);
    e.f32s(&k.sim);
    e.f32s(&k.tie);
    e.u64(k.half_life_days.to_bits());
    e.buf
}

fn decode_item_knn(b: &[u8], n_items: usize) -> Result<ItemKnn, String> {
    let mut d = Dec::new(b, "learned");
    let indptr = d.i64s()?;
    let neighbour = d.u32s()?;
    let sim = d.f32s()?;
    let tie = d.f32s()?;
    let half_life = f64::from_bits(d.u64()?);
    d.finish()?;
    check_len("item_knn tie-break", tie.len(), n_items)?;
    let indptr = indptr
        .iter()
        .map(|&x| usize::try_from(x).map_err(|_| format!("item_knn row pointer {x} is negative")))
        .collect::<Result<Vec<_>, _>>()?;
    ItemKnn::from_parts(indptr, neighbour, sim, tie, half_life)
}

/// `ease`: fitted items, weights `B` (row-major over them), tie-breaks.
fn encode_ease(x: &Ease) -> Vec<u8> {
    let mut e = Enc::default();
    e.u32s(&x.items);
    e.f32s(&x.weights);
    e.f32s(&x.tie);
    e.buf
}

fn decode_ease(b: &[u8], n_items: usize) -> Result<Ease, String> {
    let mut d = Dec::new(b, "learned");
    let items = d.u32s()?;
    let weights = d.f32s()?;
    let tie = d.f32s()?;
    d.finish()?;
    check_len("ease tie-break", tie.len(), n_items)?;
    Ease::from_parts(items, weights, tie)
}

fn encode_history(h: &History) -> Vec<u8> {
    let mut e = Enc::default();
    e.i64s(&h.indptr.iter().map(|&x| x as i64).collect::<Vec<_>>());
    e.u32s(&h.item);
    e.i64s(&h.ts);
    e.u32s(&h.quantity);
    e.buf
}

/// The columns of the `history` section, as read.
struct HistoryColumns {
    indptr: Vec<i64>,
    item: Vec<u32>,
    ts: Vec<i64>,
    quantity: Vec<u32>,
}

impl HistoryColumns {
    fn read<Rd: Read>(d: &mut ReadDec<Rd>) -> Result<Self, String> {
        Ok(HistoryColumns {
            indptr: d.i64s()?,
            item: d.u32s()?,
            ts: d.i64s()?,
            quantity: d.u32s()?,
        })
    }

    /// Checks the columns against each other and the table sizes.
    fn check(self, n_items: usize, n_promoters: usize) -> Result<History, String> {
        let HistoryColumns {
            indptr,
            item,
            ts,
            quantity,
        } = self;
        check_len("indptr", indptr.len(), n_promoters + 1)?;
        check_len("ts", ts.len(), item.len())?;
        check_len("quantity", quantity.len(), item.len())?;
        let ok_ptr = indptr.first() == Some(&0)
            && indptr.windows(2).all(|w| w[0] <= w[1])
            && indptr.last().copied() == Some(item.len() as i64);
        if !ok_ptr {
            return Err("history row pointers are not monotonic from 0 to the entry count".into());
        }
        if let Some(bad) = item.iter().find(|&&i| i as usize >= n_items) {
            return Err(format!(
                "history names item index {bad}, beyond the {n_items} items"
            ));
        }
        if let Some((k, &t)) = ts.iter().enumerate().find(|(_, &t)| check_ts(t).is_err()) {
            return Err(format!(
                "history entry {k} has timestamp {t}, outside 1970..2100"
            ));
        }
        Ok(History {
            indptr: indptr.iter().map(|&x| x as usize).collect(),
            item,
            ts,
            quantity,
            weight: Vec::new(),
        })
    }
}
