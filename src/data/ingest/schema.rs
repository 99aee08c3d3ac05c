//! The columns of each input table, their kinds and aliases (see `datasets/SCHEMA.md`),
//! and the matching of a source's column names against them.

use crate::error::{Error, Location, Result};
use serde::Serialize;

/// One of the four input tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Table {
    /// The item catalogue.
    Items,
    /// The promoter table.
    Promoters,
    /// The order log.
    Orders,
    /// The share log.
    Shares,
}

impl Table {
    /// The table's name: `items`, `promoters`, `orders` or `shares`.
    pub fn as_str(self) -> &'static str {
        match self {
            Table::Items => "items",
            Table::Promoters => "promoters",
            Table::Orders => "orders",
            Table::Shares => "shares",
        }
    }

    /// The columns of this table, required ones first.
    pub const fn columns(self) -> &'static [Col] {
        match self {
            Table::Items => ITEMS,
            Table::Promoters => PROMOTERS,
            Table::Orders => ORDERS,
            Table::Shares => SHARES,
        }
    }
}

impl std::fmt::Display for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a column holds, which decides the physical types accepted for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An identifier, read as text whatever its look (`85123A`, `000123`).
    Id,
    /// A name from a fixed list or free text (`channel`, `category`).
    Text,
    /// A whole number (cents, counts, tiers).
    Int,
    /// A real number (rates).
    Float,
    /// `true`/`false`/`1`/`0`.
    Bool,
    /// Unix seconds or ISO-8601 text.
    Ts,
}

impl Kind {
    /// The kind as named in messages.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Id => "an id (text or integer)",
            Kind::Text => "text",
            Kind::Int => "an integer",
            Kind::Float => "a number",
            Kind::Bool => "a boolean (true/false/1/0)",
            Kind::Ts => "a timestamp (unix seconds, ISO-8601 text, date or datetime)",
        }
    }
}

/// One column of an input table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Col {
    /// The column's name in the schema.
    pub name: &'static str,
    /// What it holds.
    pub kind: Kind,
    /// Whether a source must have it.
    pub required: bool,
}

impl Col {
    /// A column every source must have.
    pub const fn required(name: &'static str, kind: Kind) -> Col {
        Col {
            name,
            kind,
            required: true,
        }
    }

    /// A column a source may have.
    pub const fn optional(name: &'static str, kind: Kind) -> Col {
        Col {
            name,
            kind,
            required: false,
        }
    }
}

const fn req(name: &'static str, kind: Kind) -> Col {
    Col::required(name, kind)
}

const fn opt(name: &'static str, kind: Kind) -> Col {
    Col::optional(name, kind)
}

const ITEMS: &[Col] = &[
    req("item_id", Kind::Id),
    opt("category", Kind::Text),
    opt("brand", Kind::Text),
    opt("price", Kind::Int),
    opt("reviews_positive", Kind::Int),
    opt("reviews_total", Kind::Int),
    opt("commission_rate", Kind::Float),
    opt("seller", Kind::Text),
    opt("in_stock", Kind::Bool),
    opt("listed_at", Kind::Ts),
];

const PROMOTERS: &[Col] = &[
    req("promoter_id", Kind::Id),
    opt("channel", Kind::Text),
    opt("city_tier", Kind::Int),
    opt("joined_at", Kind::Ts),
    opt("inviter_id", Kind::Id),
];

const ORDERS: &[Col] = &[
    req("promoter_id", Kind::Id),
    req("item_id", Kind::Id),
    req("ts", Kind::Ts),
    opt("order_id", Kind::Id),
    opt("buyer_id", Kind::Id),
    opt("group_id", Kind::Id),
    opt("quantity", Kind::Int),
    opt("amount", Kind::Int),
    opt("status", Kind::Text),
    opt("weight", Kind::Float),
];

const SHARES: &[Col] = &[
    req("promoter_id", Kind::Id),
    req("item_id", Kind::Id),
    req("ts", Kind::Ts),
    opt("group_id", Kind::Id),
    opt("receiver_id", Kind::Id),
];

use crate::data::COLUMN_ALIASES as ALIASES;

/// The schema column a source column stands for, if any: its own name or an alias.
pub fn canonical(name: &str) -> &str {
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name, |(_, col)| col)
}

/// The alias a source used for a schema column, if its name is one.
pub(crate) fn alias_of(name: &str) -> Option<&'static str> {
    ALIASES.iter().find(|(a, _)| *a == name).map(|(a, _)| *a)
}

/// Which source column stands for each schema column, and which source columns are
/// left unread: the one matching of column names, for files and frames alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    /// Per schema column, in schema order: the source column's position (`None` when
    /// absent or skipped).
    pub positions: Vec<Option<usize>>,
    /// Per schema column: the alias the source used for it, if it used one (shown in
    /// messages instead of the schema name).
    pub aliases: Vec<Option<&'static str>>,
    /// Source columns not read, in source order (not in the schema, or skipped).
    pub ignored: Vec<String>,
}

impl Matched {
    /// Matches source column `names` against `schema`: exact names first, then
    /// aliases, so that a schema name wins over an alias; names are compared trimmed.
    /// Optional columns named in `skip` are not read and count as ignored.
    ///
    /// # Errors
    /// [`Error::MissingColumn`] naming `source` and listing the columns found when a
    /// required column is absent; [`Error::InvalidData`] when the names repeat one
    /// schema column (`ts,ts`: which one holds the values is anyone's guess).
    ///
    /// # Examples
    /// ```
    /// use kocrank::data::ingest::{Matched, Table};
    /// let names = ["user_id", "item_id", "timestamp", "note"].map(String::from);
    /// let m = Matched::new("orders.csv", &names, Table::Orders.columns(), &[]).unwrap();
    /// assert_eq!(&m.positions[..3], &[Some(0), Some(1), Some(2)]);
    /// assert_eq!(m.aliases[0], Some("user_id"));
    /// assert_eq!(m.ignored, ["note"]);
    /// ```
    pub fn new(source: &str, names: &[String], schema: &[Col], skip: &[String]) -> Result<Self> {
        refuse_repeated_columns(source, names, schema)?;
        let mut pick: Vec<Option<usize>> = vec![None; schema.len()];
        for alias_pass in [false, true] {
            for (i, name) in names.iter().enumerate() {
                let name = name.trim();
                let canon = canonical(name);
                if alias_pass == (canon == name) {
                    continue;
                }
                if let Some(c) = schema.iter().position(|c| c.name == canon) {
                    if let Some(slot @ None) = pick.get_mut(c) {
                        *slot = Some(i);
                    }
                }
            }
        }
        for (col, slot) in schema.iter().zip(pick.iter_mut()) {
            if slot.is_none() && col.required {
                return Err(Error::MissingColumn {
                    source_name: source.to_string(),
                    column: col.name.to_string(),
                    found: names.join(", "),
                });
            }
            if !col.required && skip.iter().any(|s| s == col.name) {
                *slot = None;
            }
        }
        let ignored = names
            .iter()
            .enumerate()
            .filter(|(i, _)| !pick.contains(&Some(*i)))
            .map(|(_, n)| n.clone())
            .collect();
        let aliases = pick
            .iter()
            .map(|p| {
                p.and_then(|i| names.get(i))
                    .and_then(|n| alias_of(n.trim()))
            })
            .collect();
        Ok(Matched {
            positions: pick,
            aliases,
            ignored,
        })
    }
}

/// Refuses names that repeat one schema column (or one alias), as in `ts,ts`. The CSV
/// reader renames the second one to `ts_duplicated_0`, and names are compared trimmed.
fn refuse_repeated_columns(source: &str, names: &[String], schema: &[Col]) -> Result<()> {
    let base = |name: &str| -> String {
        let name = name.trim();
        match name.rsplit_once("_duplicated_") {
            Some((b, n))
                if !n.is_empty()
                    && n.bytes().all(|c| c.is_ascii_digit())
                    && names.iter().any(|m| m.trim() == b) =>
            {
                b.to_string()
            }
            _ => name.to_string(),
        }
    };
    let bases: Vec<String> = names.iter().map(|n| base(n)).collect();
    for (i, name) in bases.iter().enumerate() {
        if !schema.iter().any(|c| c.name == canonical(name)) {
            continue;
        }
        let at: Vec<String> = bases
            .iter()
            .enumerate()
            .filter(|(_, other)| *other == name)
            .map(|(j, _)| (j + 1).to_string())
            .collect();
        if at.len() > 1 && at.first() == Some(&(i + 1).to_string()) {
            return Err(Error::invalid(
                Location::source(source).column(name.as_str()),
                format!(
                    "the header names column \"{name}\" {} times (columns {}); keep one",
                    at.len(),
                    at.join(" and ")
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_resolve() {
        assert_eq!(canonical("user_id"), "promoter_id");
        assert_eq!(canonical("timestamp"), "ts");
        assert_eq!(canonical("item_id"), "item_id");
    }

    #[test]
    fn required_columns_come_first() {
        for t in [Table::Items, Table::Promoters, Table::Orders, Table::Shares] {
            let cols = t.columns();
            let n_req = cols.iter().filter(|c| c.required).count();
            assert!(cols.iter().take(n_req).all(|c| c.required), "{t}");
        }
    }
}
