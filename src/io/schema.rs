//! The columns of each input table, their kinds and aliases (see `datasets/SCHEMA.md`).

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
    pub(crate) fn columns(self) -> &'static [Col] {
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
pub(crate) enum Kind {
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
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Kind::Id => "an id (text or integer)",
            Kind::Text => "text",
            Kind::Int => "an integer",
            Kind::Float => "a number",
            Kind::Bool => "a boolean (true/false/1/0)",
            Kind::Ts => "a timestamp (unix seconds or ISO-8601 text)",
        }
    }
}

/// One column of an input table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Col {
    /// The column's name in the schema.
    pub name: &'static str,
    /// What it holds.
    pub kind: Kind,
    /// Whether the file must have it.
    pub required: bool,
}

const fn req(name: &'static str, kind: Kind) -> Col {
    Col {
        name,
        kind,
        required: true,
    }
}

const fn opt(name: &'static str, kind: Kind) -> Col {
    Col {
        name,
        kind,
        required: false,
    }
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

/// Other names accepted for a schema column (see [`crate::data::COLUMN_ALIASES`]).
pub(crate) use crate::data::COLUMN_ALIASES as ALIASES;

/// The schema column a file column stands for, if any: its own name or an alias.
pub(crate) fn canonical(name: &str) -> &str {
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name, |(_, col)| col)
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
