//! Promoters: the people who share items into their groups.

use super::ids::IdMap;
use serde::{Deserialize, Serialize};

/// How a promoter came to the platform; circles differ by channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Stay-at-home mothers (the largest group, with resellers).
    Mother,
    /// Resellers running chat groups for profit.
    Reseller,
    /// Couriers sharing to their delivery circles.
    Courier,
    /// Repair and cleaning workers.
    ServiceWorker,
    /// In-store shop guides.
    ShopGuide,
    /// Anything else, or unknown.
    Other,
}

impl Channel {
    /// All channels, in a fixed order (their index is `as usize`).
    pub const ALL: [Channel; 6] = [
        Channel::Mother,
        Channel::Reseller,
        Channel::Courier,
        Channel::ServiceWorker,
        Channel::ShopGuide,
        Channel::Other,
    ];

    /// Parses a channel name as written in files (case-insensitive).
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "mother" => Ok(Channel::Mother),
            "reseller" => Ok(Channel::Reseller),
            "courier" => Ok(Channel::Courier),
            "service_worker" => Ok(Channel::ServiceWorker),
            "shop_guide" => Ok(Channel::ShopGuide),
            "other" | "" => Ok(Channel::Other),
            other => Err(format!(
                "unknown channel \"{other}\" (expected mother, reseller, courier, service_worker, shop_guide or other)"
            )),
        }
    }

    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Mother => "mother",
            Channel::Reseller => "reseller",
            Channel::Courier => "courier",
            Channel::ServiceWorker => "service_worker",
            Channel::ShopGuide => "shop_guide",
            Channel::Other => "other",
        }
    }

    /// Dense index in `0..6`.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// City tier of a promoter: 1 (largest cities) to 6; 0 means unknown.
pub type CityTier = u8;

/// Number of city-tier slots (0 = unknown, 1..=6).
pub const CITY_TIERS: usize = 7;

/// The promoter table, column by column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Promoters {
    /// External promoter ids.
    pub ids: IdMap,
    /// Channel per promoter.
    pub channel: Vec<Channel>,
    /// City tier per promoter (0 = unknown).
    pub city_tier: Vec<CityTier>,
    /// Join time, if known.
    pub joined_at: Vec<Option<i64>>,
    /// The promoter whose invitation code she joined with, if any.
    pub inviter: Vec<Option<u32>>,
}

impl Promoters {
    /// Number of promoters.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when there is no promoter.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Adds a promoter known only from her orders: channel `other`, tier unknown.
    pub(crate) fn push_default(&mut self, id: &str) -> u32 {
        let (ix, inserted) = self.ids.insert(id);
        if inserted {
            self.channel.push(Channel::Other);
            self.city_tier.push(0);
            self.joined_at.push(None);
            self.inviter.push(None);
        }
        ix
    }

    /// The channel of promoter `p` (`Other` when out of range).
    pub fn channel_of(&self, p: u32) -> Channel {
        self.channel
            .get(p as usize)
            .copied()
            .unwrap_or(Channel::Other)
    }

    /// The city tier of promoter `p` (0 when unknown or out of range).
    pub fn tier_of(&self, p: u32) -> CityTier {
        self.city_tier.get(p as usize).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_round_trips() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()).unwrap(), c);
            assert_eq!(Channel::ALL[c.index()], c);
        }
        assert!(Channel::parse("wizard")
            .unwrap_err()
            .contains("unknown channel"));
    }
}
