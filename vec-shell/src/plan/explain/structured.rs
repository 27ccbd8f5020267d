//! `EXPLAIN`'s structured formats — JSON, YAML and XML — as PostgreSQL writes them:
//! the same tree of properties in each (`Node Type`, the estimate, the actual counts,
//! the details, `Plans`), laid out by each format's rules.

use super::node::{PlanNode, Prop};
use super::Display;
use crate::sql::ast::ExplainFormat;

/// A document: a scalar, an inline list of texts, an object, or an array whose items
/// XML names `item`.
enum Doc {
    Scalar(Prop),
    Object(Vec<(String, Doc)>),
    Array(&'static str, Vec<Doc>),
}

/// The one-value output of a structured `EXPLAIN` of `root`, with the statement's
/// summary times (milliseconds).
pub fn render(
    root: &PlanNode,
    display: &Display,
    format: ExplainFormat,
    planning_ms: Option<f64>,
    execution_ms: Option<f64>,
) -> String {
    let mut query = vec![("Plan".to_string(), plan(root, display))];
    if let Some(ms) = planning_ms {
        query.push(("Planning Time".to_string(), number(format!("{ms:.3}"))));
    }
    if display.analyze {
        query.push(("Triggers".to_string(), Doc::Array("Trigger", Vec::new())));
    }
    if let Some(ms) = execution_ms {
        query.push(("Execution Time".to_string(), number(format!("{ms:.3}"))));
    }
    let query = Doc::Object(query);
    let mut out = String::new();
    match format {
        ExplainFormat::Json => {
            out.push('[');
            json_item(&query, 1, true, &mut out);
            out.push_str("\n]");
        }
        ExplainFormat::Yaml => {
            out.push_str("- ");
            yaml_object_body(&query, 1, &mut out);
        }
        ExplainFormat::Xml | ExplainFormat::Text => {
            out.push_str("<explain xmlns=\"http://www.postgresql.org/2009/explain\">\n");
            xml_element("Query", &query, 1, &mut out);
            out.push_str("</explain>");
        }
    }
    out
}

fn number(text: String) -> Doc {
    Doc::Scalar(Prop::Number(text))
}

fn text(text: &str) -> Doc {
    Doc::Scalar(Prop::Text(text.to_string()))
}

/// One node's properties in PostgreSQL's order.
fn plan(node: &PlanNode, display: &Display) -> Doc {
    let mut fields: Vec<(String, Doc)> = vec![("Node Type".into(), text(&node.node_type))];
    for (key, value) in &node.leading {
        fields.push((key.to_string(), Doc::Scalar(value.clone())));
    }
    if let Some(relationship) = node.relationship {
        fields.push(("Parent Relationship".into(), text(relationship)));
    }
    if let Some(name) = &node.subplan_name {
        fields.push(("Subplan Name".into(), text(name)));
    }
    fields.push(("Parallel Aware".into(), Doc::Scalar(Prop::Bool(false))));
    fields.push(("Async Capable".into(), Doc::Scalar(Prop::Bool(false))));
    for (key, value) in &node.identity {
        fields.push((key.to_string(), Doc::Scalar(value.clone())));
    }
    if display.costs {
        let e = &node.estimate;
        fields.push(("Startup Cost".into(), number(format!("{:.2}", e.startup))));
        fields.push(("Total Cost".into(), number(format!("{:.2}", e.total))));
        fields.push(("Plan Rows".into(), number(format!("{:.0}", e.rows))));
        fields.push(("Plan Width".into(), number(e.width.to_string())));
    }
    if display.analyze {
        let actual = node.actual.filter(|a| a.loops > 0).unwrap_or_default();
        let loops = actual.loops.max(1) as f64;
        if display.timing {
            let startup = actual.startup_ms / loops;
            let total = actual.total_ms / loops;
            fields.push((
                "Actual Startup Time".into(),
                number(format!("{startup:.3}")),
            ));
            fields.push(("Actual Total Time".into(), number(format!("{total:.3}"))));
        }
        let rows = (actual.rows as f64 / loops).round();
        fields.push(("Actual Rows".into(), number(format!("{rows:.0}"))));
        fields.push(("Actual Loops".into(), number(actual.loops.to_string())));
    }
    // An aggregate counts the rows its filter removed after its own figures.
    let removed = display.analyze && node.details.iter().any(|(key, _)| key == "Filter");
    let removed = removed.then(|| {
        let rows = super::text::removed(node).unwrap_or(0.0);
        (
            "Rows Removed by Filter".to_string(),
            number(format!("{rows:.0}")),
        )
    });
    let aggregate = node.node_type == "Aggregate";
    let mut removed = removed;
    for (key, value) in &node.details {
        fields.push((key.clone(), Doc::Scalar(value.clone())));
        if key == "Filter" && !aggregate {
            fields.extend(removed.take());
        }
    }
    if display.costs {
        for (key, value) in &node.planned {
            fields.push((key.to_string(), Doc::Scalar(value.clone())));
        }
    }
    fields.extend(removed);
    if display.buffers {
        let actual = node.actual.unwrap_or_default();
        let counts = [
            ("Shared Hit Blocks", actual.hit),
            ("Shared Read Blocks", actual.read),
            ("Shared Dirtied Blocks", 0),
            ("Shared Written Blocks", 0),
            ("Local Hit Blocks", 0),
            ("Local Read Blocks", 0),
            ("Local Dirtied Blocks", 0),
            ("Local Written Blocks", 0),
            ("Temp Read Blocks", 0),
            ("Temp Written Blocks", 0),
        ];
        for (key, count) in counts {
            fields.push((key.into(), number(count.to_string())));
        }
    }
    if !node.children.is_empty() {
        let children = node.children.iter().map(|c| plan(c, display)).collect();
        fields.push(("Plans".into(), Doc::Array("Plan", children)));
    }
    Doc::Object(fields)
}

fn spaces(indent: usize) -> String {
    " ".repeat(indent * 2)
}

fn json_string(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_scalar(value: &Prop) -> String {
    match value {
        Prop::Text(text) => json_string(text),
        Prop::Number(text) => text.clone(),
        Prop::Bool(value) => value.to_string(),
        Prop::List(items) => {
            let items: Vec<String> = items.iter().map(|i| json_string(i)).collect();
            format!("[{}]", items.join(", "))
        }
    }
}

/// An array item or the top object: on its own line at `indent`.
fn json_item(doc: &Doc, indent: usize, first: bool, out: &mut String) {
    if !first {
        out.push(',');
    }
    out.push('\n');
    out.push_str(&spaces(indent));
    json_value(doc, indent, out);
}

fn json_value(doc: &Doc, indent: usize, out: &mut String) {
    match doc {
        Doc::Scalar(value) => out.push_str(&json_scalar(value)),
        Doc::Object(fields) => {
            out.push('{');
            for (i, (key, value)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push('\n');
                out.push_str(&spaces(indent + 1));
                out.push_str(&json_string(key));
                out.push_str(": ");
                json_value(value, indent + 1, out);
            }
            out.push('\n');
            out.push_str(&spaces(indent));
            out.push('}');
        }
        Doc::Array(_, items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                json_item(item, indent + 1, i == 0, out);
            }
            out.push('\n');
            out.push_str(&spaces(indent));
            out.push(']');
        }
    }
}

fn yaml_scalar(value: &Prop) -> String {
    match value {
        Prop::Text(text) => json_string(text),
        Prop::Number(text) => text.clone(),
        Prop::Bool(value) => value.to_string(),
        Prop::List(_) => String::new(),
    }
}

/// An object's fields, the first on the current line (after `- `), the others on their
/// own lines at `indent`.
fn yaml_object_body(doc: &Doc, indent: usize, out: &mut String) {
    let Doc::Object(fields) = doc else {
        return;
    };
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push('\n');
            out.push_str(&spaces(indent));
        }
        out.push_str(key);
        out.push_str(": ");
        match value {
            Doc::Scalar(Prop::List(items)) => {
                for item in items {
                    out.push('\n');
                    out.push_str(&spaces(indent + 1));
                    out.push_str("- ");
                    out.push_str(&json_string(item));
                }
            }
            Doc::Scalar(value) => out.push_str(&yaml_scalar(value)),
            Doc::Object(_) => {
                out.push('\n');
                out.push_str(&spaces(indent + 1));
                yaml_object_body(value, indent + 1, out);
            }
            Doc::Array(_, items) => {
                for item in items {
                    out.push('\n');
                    out.push_str(&spaces(indent + 1));
                    out.push_str("- ");
                    yaml_object_body(item, indent + 2, out);
                }
            }
        }
    }
}

fn xml_escape(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn xml_element(name: &str, doc: &Doc, indent: usize, out: &mut String) {
    let tag = name.replace(' ', "-");
    out.push_str(&spaces(indent));
    match doc {
        Doc::Scalar(Prop::List(items)) => {
            out.push_str(&format!("<{tag}>\n"));
            for item in items {
                out.push_str(&spaces(indent + 1));
                out.push_str(&format!("<Item>{}</Item>\n", xml_escape(item)));
            }
            out.push_str(&spaces(indent));
            out.push_str(&format!("</{tag}>\n"));
        }
        Doc::Scalar(value) => {
            let value = match value {
                Prop::Text(text) | Prop::Number(text) => xml_escape(text),
                Prop::Bool(value) => value.to_string(),
                Prop::List(_) => String::new(),
            };
            out.push_str(&format!("<{tag}>{value}</{tag}>\n"));
        }
        Doc::Object(fields) => {
            out.push_str(&format!("<{tag}>\n"));
            for (key, value) in fields {
                xml_element(key, value, indent + 1, out);
            }
            out.push_str(&spaces(indent));
            out.push_str(&format!("</{tag}>\n"));
        }
        Doc::Array(item, items) => {
            out.push_str(&format!("<{tag}>\n"));
            for value in items {
                xml_element(item, value, indent + 1, out);
            }
            out.push_str(&spaces(indent));
            out.push_str(&format!("</{tag}>\n"));
        }
    }
}
