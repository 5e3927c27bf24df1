//! What the logistics capability keeps: stock delivered to a KPU warehouse and every hand-over
//! down the chain, with each node's running account (what arrived, in what state, what went on).

use jiff::Timestamp;
use posko_core::logistics::{Item, Node};

/// A hand-over to record (or a delivery of stock to the warehouse when `from` is `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct NewLogisticsHandover {
    pub election: String,
    pub from: Option<Node>,
    pub to: Node,
    pub item: Item,
    pub sent: u32,
    pub good: u32,
    pub damaged: u32,
    pub missing: u32,
    pub at: Timestamp,
    /// Names as signed on the berita acara (officials of the post, not private persons).
    pub handed_by: String,
    pub received_by: String,
    pub recorded_by: Option<i64>,
}

/// A recorded hand-over.
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticsHandover {
    pub id: i64,
    pub record: NewLogisticsHandover,
}

/// One node's account of one item.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeHolding {
    pub node: Node,
    pub item: Item,
    pub good_in: u32,
    pub damaged_in: u32,
    pub missing_in: u32,
    pub sent_out: u32,
    /// The last arrival.
    pub last_at: Option<Timestamp>,
}
