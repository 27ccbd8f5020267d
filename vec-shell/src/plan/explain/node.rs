//! A drawn plan: one [`PlanNode`] per node PostgreSQL would show, with its estimate,
//! its details, and — under `EXPLAIN ANALYZE` — what it did ([`Actual`]). The text and
//! structured formats (`text.rs`, `structured.rs`) both print this tree.

use super::super::cost::Estimate;

/// A property's value, as the structured formats type it.
#[derive(Clone, Debug, PartialEq)]
pub enum Prop {
    /// Text (quoted in JSON and YAML).
    Text(String),
    /// A number, already formatted.
    Number(String),
    /// `true` / `false`.
    Bool(bool),
    /// A list of texts (`Sort Key`, `Group Key`): joined by `, ` in the text format.
    List(Vec<String>),
}

impl Prop {
    /// The value as the text format prints it.
    pub fn text(&self) -> String {
        match self {
            Prop::Text(text) | Prop::Number(text) => text.clone(),
            Prop::Bool(value) => value.to_string(),
            Prop::List(items) => items.join(", "),
        }
    }
}

/// Which executor counters belong to a node: the address of the plan part it draws
/// and the step of that part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Probe {
    /// The address of the plan part (a `QueryPlan`, a `Source`).
    pub part: usize,
    /// The step.
    pub step: Step,
}

/// A step of a query's pipeline, or a source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    /// The rows a source yields before the query's filter.
    Raw,
    /// The rows a source yields (after the query's filter, for the query's own source).
    Scan,
    /// After aggregation and `HAVING`.
    Aggregate,
    /// After `HAVING` is checked: the groups before it.
    Grouped,
    /// After window functions.
    Window,
    /// After `DISTINCT`.
    Distinct,
    /// After the sort.
    Sort,
    /// After `OFFSET` and `LIMIT`.
    Limit,
}

impl Probe {
    /// The probe of `step` of the plan part at `part`.
    pub fn of<T>(part: &T, step: Step) -> Probe {
        Probe {
            part: std::ptr::from_ref(part) as usize,
            step,
        }
    }
}

/// What one node did under `EXPLAIN ANALYZE`, summed over its runs (loops).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Actual {
    /// Times the node was started.
    pub loops: u64,
    /// Rows it returned, over all loops.
    pub rows: u64,
    /// Milliseconds until its first row, summed over loops.
    pub startup_ms: f64,
    /// Milliseconds until its last row, summed over loops.
    pub total_ms: f64,
    /// Buffer pool pages found in the pool.
    pub hit: u64,
    /// Buffer pool pages read into the pool.
    pub read: u64,
}

/// One node of a drawn plan.
#[derive(Clone, Debug, Default)]
pub struct PlanNode {
    /// PostgreSQL's node type (`Seq Scan`, `Aggregate`, `Hash Join`).
    pub node_type: String,
    /// The text format's head: the type and what it reads (`Seq Scan on items i`).
    pub title: String,
    /// Structured-format properties before the parent relationship (`Strategy`).
    pub leading: Vec<(&'static str, Prop)>,
    /// How the node feeds its parent: `Outer`, `Inner`, `Member`, `Subquery`,
    /// `InitPlan`.
    pub relationship: Option<&'static str>,
    /// The name of a subplan (`CTE name`).
    pub subplan_name: Option<String>,
    /// Structured-format properties naming what the node reads (`Relation Name`,
    /// `Alias`, `Index Name`, `Join Type`).
    pub identity: Vec<(&'static str, Prop)>,
    /// Details both formats show, in order (`Sort Key`, `Filter`, `Order By`).
    pub details: Vec<(String, Prop)>,
    /// Details only the structured formats show, with the estimates (`Planned
    /// Partitions`).
    pub planned: Vec<(&'static str, Prop)>,
    /// The cost model's estimate.
    pub estimate: Estimate,
    /// Where its actual counts are recorded.
    pub probe: Option<Probe>,
    /// Where the counts before its filter are recorded (for `Rows Removed by Filter`).
    pub before_filter: Option<Probe>,
    /// What it did (under `EXPLAIN ANALYZE`).
    pub actual: Option<Actual>,
    /// Rows its filter removed (under `EXPLAIN ANALYZE`).
    pub removed_by_filter: Option<u64>,
    /// Its inputs.
    pub children: Vec<PlanNode>,
}

impl PlanNode {
    /// A node whose text head is its type.
    pub fn new(node_type: &str) -> PlanNode {
        PlanNode {
            node_type: node_type.to_string(),
            title: node_type.to_string(),
            ..PlanNode::default()
        }
    }

    /// A node titled differently from its type.
    pub fn titled(node_type: &str, title: String) -> PlanNode {
        PlanNode {
            node_type: node_type.to_string(),
            title,
            ..PlanNode::default()
        }
    }

    /// Adds a detail.
    pub fn detail(mut self, key: &str, value: Prop) -> PlanNode {
        self.details.push((key.to_string(), value));
        self
    }

    /// Adds a text detail when there is one.
    pub fn text_detail(mut self, key: &str, value: Option<String>) -> PlanNode {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            self.details.push((key.to_string(), Prop::Text(value)));
        }
        self
    }

    /// Sets the estimate.
    pub fn costing(mut self, estimate: Estimate) -> PlanNode {
        self.estimate = estimate;
        self
    }

    /// Sets the probe.
    pub fn probed(mut self, probe: Probe) -> PlanNode {
        self.probe = Some(probe);
        self
    }

    /// Adds an input, marking how it feeds this node.
    pub fn child(mut self, mut child: PlanNode, relationship: &'static str) -> PlanNode {
        if child.relationship.is_none() {
            child.relationship = Some(relationship);
        }
        self.children.push(child);
        self
    }

    /// Fills `actual` (and the rows removed by filters) from the executor's counters,
    /// here and below; a node without counters of its own takes its only child's (a
    /// `Hash` passes on every row it reads) or the sum of its children's (an `Append`).
    pub fn fill(&mut self, counters: &dyn Fn(Probe) -> Option<Actual>) {
        for child in &mut self.children {
            child.fill(counters);
        }
        self.actual = match self.probe {
            Some(probe) => counters(probe),
            None => {
                let inputs: Vec<Actual> = self
                    .children
                    .iter()
                    .filter(|c| c.subplan_name.is_none())
                    .filter_map(|c| c.actual)
                    .collect();
                inputs.iter().copied().reduce(|a, b| Actual {
                    loops: a.loops.max(b.loops),
                    rows: a.rows + b.rows,
                    startup_ms: a.startup_ms.min(b.startup_ms),
                    total_ms: a.total_ms + b.total_ms,
                    hit: a.hit + b.hit,
                    read: a.read + b.read,
                })
            }
        };
        if let (Some(before), Some(after)) = (self.before_filter.and_then(counters), self.actual) {
            self.removed_by_filter = Some(before.rows.saturating_sub(after.rows));
        }
    }
}
