//! The abstract syntax tree the parser builds.
//!
//! Nodes that errors can point at carry a [`Pos`], the byte offset of their first
//! character. `Pos` compares equal to every other `Pos`, so two trees compare equal when
//! they say the same thing however they were spaced: that is what the `Display`
//! round-trip tests check.

mod explain;
mod query;
mod schema;
mod transaction;
mod window;
pub use explain::{ExplainFormat, ExplainOptions};
pub use query::{CreateTableAs, Cte, Distinct, Select, SetOperation, SetOperator, SubLinkKind};
pub use schema::{SchemaCommand, ROLE};
pub use transaction::{IsolationLevel, TransactionCommand, TransactionModes};
pub use window::{
    AggClauses, Frame, FrameBound, FrameExclusion, FrameUnits, NamedWindow, WindowDef,
};

/// A byte offset into the statement text. All positions compare equal (see the module
/// documentation).
#[derive(Clone, Copy, Debug, Default)]
pub struct Pos(pub usize);

impl PartialEq for Pos {
    fn eq(&self, _other: &Pos) -> bool {
        true
    }
}

/// A parsed statement.
#[derive(Clone, Debug, PartialEq)]
pub enum Statement {
    /// `CREATE SCHEMA` or `DROP SCHEMA`
    Schema(SchemaCommand),
    /// `CREATE EXTENSION [IF NOT EXISTS] name`
    CreateExtension {
        /// The extension's name.
        name: String,
        /// `IF NOT EXISTS` was given.
        if_not_exists: bool,
    },
    /// `DROP EXTENSION [IF EXISTS] name [, …] [CASCADE | RESTRICT]`
    DropExtension {
        /// The extensions' names.
        names: Vec<String>,
        /// `IF EXISTS` was given.
        if_exists: bool,
    },
    /// `ALTER EXTENSION name UPDATE [TO 'version']`
    AlterExtension {
        /// The extension's name.
        name: String,
        /// The version asked for (`None`: the newest).
        version: Option<String>,
    },
    /// `CREATE TABLE`
    CreateTable(CreateTable),
    /// `CREATE TABLE … AS query [WITH [NO] DATA]`
    CreateTableAs(Box<CreateTableAs>),
    /// `DROP TABLE [IF EXISTS] name, …`
    DropTable {
        /// The tables.
        names: Vec<String>,
        /// `IF EXISTS` was given.
        if_exists: bool,
    },
    /// `ALTER TABLE name ADD [COLUMN] [IF NOT EXISTS] column`
    AddColumn {
        /// The table.
        table: String,
        /// The new column.
        column: ColumnDef,
        /// `IF NOT EXISTS` was given.
        if_not_exists: bool,
    },
    /// `ALTER TABLE name ALTER [COLUMN] column SET STORAGE mode`
    SetStorage {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The mode as written (`PLAIN`, `EXTERNAL`, `EXTENDED`, `MAIN`).
        storage: String,
    },
    /// `ALTER TABLE name ALTER [COLUMN] column SET STATISTICS target`
    SetStatistics {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The target (-1: the default).
        target: i64,
    },
    /// `ALTER TABLE name ADD [CONSTRAINT name] UNIQUE (…) | CHECK (…)`
    AddConstraint {
        /// The table.
        table: String,
        /// The constraint.
        constraint: TableConstraint,
    },
    /// `ALTER TABLE name DROP CONSTRAINT [IF EXISTS] name`
    DropConstraint {
        /// The table.
        table: String,
        /// The constraint's name.
        name: String,
        /// `IF EXISTS` was given.
        if_exists: bool,
    },
    /// `DROP INDEX [CONCURRENTLY] [IF EXISTS] name, …`
    DropIndex {
        /// The indexes.
        names: Vec<String>,
        /// `IF EXISTS` was given.
        if_exists: bool,
    },
    /// `TRUNCATE [TABLE] name, …`
    Truncate {
        /// The tables.
        names: Vec<String>,
    },
    /// `CREATE INDEX`
    CreateIndex(CreateIndex),
    /// `INSERT`
    Insert(Insert),
    /// `UPDATE`
    Update(Update),
    /// `DELETE`
    Delete(Delete),
    /// `SELECT`
    Select(Box<Select>),
    /// `COPY table [(columns)] FROM|TO 'file'|STDIN|STDOUT [WITH (…)]`
    Copy(Copy),
    /// `EXPLAIN [ANALYZE] [VERBOSE] query` or `EXPLAIN (option [value], …) query`.
    Explain {
        /// The options.
        options: ExplainOptions,
        /// The query.
        query: Box<Select>,
    },
    /// `EXPLAIN [options] EXECUTE name [(arguments)]`: the plan a prepared query runs
    /// with these arguments.
    ExplainExecute {
        /// The options.
        options: ExplainOptions,
        /// The prepared statement's name.
        name: String,
        /// The arguments, one per parameter.
        args: Vec<Expr>,
        /// Where the statement's name was written.
        pos: Pos,
    },
    /// `SET name = value` / `SET name TO value`
    Set {
        /// The parameter's name, lower case, dotted names kept whole.
        name: String,
        /// The value, `None` for `DEFAULT`.
        value: Option<SetValue>,
        /// `SET LOCAL`.
        local: bool,
    },
    /// `SHOW name`
    Show {
        /// The parameter's name, or `all`.
        name: String,
    },
    /// `RESET name` / `RESET ALL`
    Reset {
        /// The parameter's name, or `all`.
        name: String,
    },
    /// A transaction-control statement: `BEGIN`, `COMMIT`, `ROLLBACK` and their synonyms.
    Transaction(TransactionCommand),
    /// `REINDEX INDEX name` / `REINDEX TABLE name`
    Reindex {
        /// `TABLE` rather than `INDEX`.
        table: bool,
        /// The relation.
        name: String,
        /// Where the name was written.
        pos: Pos,
    },
    /// `VACUUM [ANALYZE] [table, …]` or `ANALYZE [table, …]`
    Maintenance(Maintenance),
    /// `PREPARE name [(type, …)] AS statement`
    Prepare(Prepare),
    /// `EXECUTE name [(argument, …)]`
    Execute {
        /// The prepared statement's name.
        name: String,
        /// The arguments, one per parameter.
        args: Vec<Expr>,
        /// Where the statement's name was written.
        pos: Pos,
    },
    /// `DEALLOCATE [PREPARE] name` / `DEALLOCATE [PREPARE] ALL`
    Deallocate {
        /// The prepared statement's name; `None` for `ALL`.
        name: Option<String>,
    },
    /// `DISCARD ALL`: back to the session's state at connection start.
    DiscardAll,
}

/// `PREPARE name [(type, …)] AS statement`.
#[derive(Clone, Debug, PartialEq)]
pub struct Prepare {
    /// The statement's name.
    pub name: String,
    /// The declared parameter types (more parameters may be used; their types are
    /// inferred).
    pub param_types: Vec<TypeName>,
    /// The statement: a query, `INSERT`, `UPDATE` or `DELETE`.
    pub statement: Box<Statement>,
}

/// `VACUUM [FULL] [VERBOSE] [ANALYZE] [table, …]` or `ANALYZE [VERBOSE] [table, …]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Maintenance {
    /// `VACUUM` (rather than `ANALYZE` alone).
    pub vacuum: bool,
    /// `ANALYZE` (alone or after `VACUUM`).
    pub analyze: bool,
    /// The tables with where each was written; empty for every table.
    pub tables: Vec<(String, Pos)>,
    /// Each table's column list (`ANALYZE t (a, b)`), empty for every column.
    pub columns: Vec<Vec<String>>,
}

/// A `COPY` statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Copy {
    /// The table.
    pub table: String,
    /// Where the table's name was written.
    pub table_pos: Pos,
    /// The columns, empty for all.
    pub columns: Vec<String>,
    /// `COPY (query) TO …`: the query whose rows are written (then `table` is empty).
    pub query: Option<Box<Select>>,
    /// `FROM` (load into the table) rather than `TO`.
    pub from: bool,
    /// The file, or `None` for `STDIN` / `STDOUT`.
    pub file: Option<String>,
    /// Options: `format`, `header`, `delimiter`, `null` (names lower case).
    pub options: Vec<(String, Option<String>)>,
}

/// A value in `SET`.
#[derive(Clone, Debug, PartialEq)]
pub enum SetValue {
    /// A number as written (with its sign).
    Number(String),
    /// A word or quoted string.
    Text(String),
}

impl SetValue {
    /// The value's text (a number as written, or the word or string).
    pub fn as_str(&self) -> &str {
        match self {
            SetValue::Number(text) | SetValue::Text(text) => text,
        }
    }
}

/// `CREATE TABLE [IF NOT EXISTS] name (columns, constraints)`
#[derive(Clone, Debug, PartialEq)]
pub struct CreateTable {
    /// The table's name.
    pub name: String,
    /// Where the name was written.
    pub name_pos: Pos,
    /// `IF NOT EXISTS` was given.
    pub if_not_exists: bool,
    /// The columns.
    pub columns: Vec<ColumnDef>,
    /// Columns named by a table-level `PRIMARY KEY (…)`.
    pub primary_key: Vec<String>,
    /// Table-level `UNIQUE (…)` and `CHECK (…)` constraints, in order.
    pub constraints: Vec<TableConstraint>,
}

/// A `UNIQUE` or `CHECK` constraint of `CREATE TABLE` (of a column or of the table) or
/// `ALTER TABLE … ADD`.
#[derive(Clone, Debug, PartialEq)]
pub struct TableConstraint {
    /// `CONSTRAINT name`, if given.
    pub name: Option<String>,
    /// What it constrains.
    pub kind: ConstraintKind,
}

/// What a [`TableConstraint`] requires.
#[derive(Clone, Debug, PartialEq)]
pub enum ConstraintKind {
    /// `UNIQUE (columns)` (a column's `UNIQUE` names that column).
    Unique(Vec<String>),
    /// `CHECK (expr)`.
    Check(Expr),
}

/// One column of `CREATE TABLE`.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnDef {
    /// The column's name.
    pub name: String,
    /// Its declared type.
    pub type_name: TypeName,
    /// `NOT NULL`.
    pub not_null: bool,
    /// `PRIMARY KEY`.
    pub primary_key: bool,
    /// `GENERATED ALWAYS|BY DEFAULT AS IDENTITY`.
    pub identity: bool,
    /// `GENERATED ALWAYS AS IDENTITY` (explicit values need `OVERRIDING SYSTEM VALUE`).
    pub identity_always: bool,
    /// `DEFAULT expr`.
    pub default: Option<Expr>,
    /// `GENERATED ALWAYS AS (expr) STORED`.
    pub generated: Option<Expr>,
    /// Where the last `DEFAULT` or `GENERATED` clause was written (errors about
    /// clashing clauses point there).
    pub clause_pos: Pos,
    /// The column's `UNIQUE` and `CHECK (…)` constraints, in order.
    pub constraints: Vec<TableConstraint>,
}

/// `CREATE INDEX [IF NOT EXISTS] [name] ON table [USING method] (key opclass, …)`
#[derive(Clone, Debug, PartialEq)]
pub struct CreateIndex {
    /// The index's name, if given.
    pub name: Option<String>,
    /// `IF NOT EXISTS` was given.
    pub if_not_exists: bool,
    /// The table.
    pub table: String,
    /// The access method (`btree` when omitted).
    pub method: Option<String>,
    /// Where `USING method` was written.
    pub method_pos: Pos,
    /// The key columns or expressions with their operator classes.
    pub keys: Vec<(Expr, Option<String>)>,
    /// Storage options from `WITH (name = value, …)`.
    pub with: Vec<(String, SetValue)>,
    /// A partial index's predicate, `WHERE condition`.
    pub predicate: Option<Expr>,
}

/// `INSERT INTO table [(columns)] source [RETURNING …]`
#[derive(Clone, Debug, PartialEq)]
pub struct Insert {
    /// The table.
    pub table: String,
    /// Where the table's name was written.
    pub table_pos: Pos,
    /// The target columns, empty for all.
    pub columns: Vec<(String, Pos)>,
    /// `OVERRIDING SYSTEM VALUE` or `OVERRIDING USER VALUE`.
    pub overriding: Option<Overriding>,
    /// The rows.
    pub source: InsertSource,
    /// `ON CONFLICT (columns) DO …`.
    pub on_conflict: Option<OnConflict>,
    /// The `RETURNING` list.
    pub returning: Vec<SelectItem>,
}

/// `INSERT`'s `OVERRIDING … VALUE` clause, for identity columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overriding {
    /// `OVERRIDING SYSTEM VALUE`: explicit values go into `GENERATED ALWAYS` columns.
    System,
    /// `OVERRIDING USER VALUE`: explicit values for identity columns are ignored.
    User,
}

/// `ON CONFLICT [(columns) | ON CONSTRAINT name] DO NOTHING | DO UPDATE SET col = expr, …`
#[derive(Clone, Debug, PartialEq)]
pub struct OnConflict {
    /// The conflict target: the columns of the primary key (empty without a target, or
    /// with `ON CONSTRAINT`).
    pub columns: Vec<String>,
    /// `ON CONFLICT ON CONSTRAINT name`.
    pub constraint: Option<String>,
    /// `DO UPDATE SET` assignments (over the existing row and `excluded`); `None` for
    /// `DO NOTHING`.
    pub update: Option<Vec<(String, Pos, Expr)>>,
    /// Where `ON` was written.
    pub pos: Pos,
}

/// Where inserted rows come from.
#[derive(Clone, Debug, PartialEq)]
pub enum InsertSource {
    /// `VALUES (…), (…)`
    Values(Vec<Vec<Expr>>),
    /// A query.
    Query(Box<Select>),
    /// `DEFAULT VALUES`: one row of defaults.
    DefaultValues,
}

/// `UPDATE table SET col = expr, … [WHERE …] [RETURNING …]`
#[derive(Clone, Debug, PartialEq)]
pub struct Update {
    /// The table.
    pub table: String,
    /// Where the table's name was written.
    pub table_pos: Pos,
    /// The assignments.
    pub assignments: Vec<(String, Pos, Expr)>,
    /// The filter.
    pub selection: Option<Expr>,
    /// The `RETURNING` list.
    pub returning: Vec<SelectItem>,
}

/// `DELETE FROM table [WHERE …] [RETURNING …]`
#[derive(Clone, Debug, PartialEq)]
pub struct Delete {
    /// The table.
    pub table: String,
    /// Where the table's name was written.
    pub table_pos: Pos,
    /// The filter.
    pub selection: Option<Expr>,
    /// The `RETURNING` list.
    pub returning: Vec<SelectItem>,
}

/// An item of a select list.
#[derive(Clone, Debug, PartialEq)]
pub enum SelectItem {
    /// `*`
    Wildcard(Pos),
    /// `table.*`: the columns of one table (or alias) of the `FROM` clause.
    QualifiedWildcard {
        /// The table or alias, as written (folded like any name).
        table: String,
        /// Where the name is written.
        pos: Pos,
    },
    /// An expression with an optional alias.
    Expr {
        /// The expression.
        expr: Expr,
        /// `AS alias`.
        alias: Option<String>,
    },
}

/// An item of a `FROM` clause.
#[derive(Clone, Debug, PartialEq)]
pub enum FromItem {
    /// A table, optionally aliased.
    Table {
        /// The table's name.
        name: String,
        /// The alias.
        alias: Option<String>,
        /// Where the name was written.
        pos: Pos,
    },
    /// A set-returning function such as `unnest(…) v` or `generate_series(1, 3) n`.
    Function {
        /// The call.
        call: Expr,
        /// The alias (also the column's name).
        alias: Option<String>,
    },
    /// `[LATERAL] (SELECT …) alias [(column, …)]`
    Subquery {
        /// The query.
        query: Box<Select>,
        /// The alias.
        alias: Option<String>,
        /// The alias's column names, renaming the query's first columns.
        columns: Vec<String>,
        /// `LATERAL`: the query may name the columns of the items to its left.
        lateral: bool,
    },
    /// `VALUES (…), (…)`: the rows of a `VALUES` query (which is `SELECT *` over them),
    /// columns named `column1`, `column2`, …
    Values {
        /// The rows, each a list of expressions.
        rows: Vec<Vec<Expr>>,
        /// Where `VALUES` was written.
        pos: Pos,
    },
    /// A reference to a `WITH` query, as inlining leaves it (the parser never makes
    /// one): the query, bound afresh for each reference.
    Cte {
        /// The `WITH` query, earlier `WITH` queries inlined into it.
        cte: Box<Cte>,
        /// The alias (the reference's name when absent).
        alias: Option<String>,
        /// Where the reference was written.
        pos: Pos,
    },
    /// A recursive `WITH` query's reference to itself in its recursive term, as
    /// inlining leaves it: the rows the previous step produced.
    WorkTable {
        /// The `WITH` query's name.
        name: String,
        /// The alias.
        alias: Option<String>,
        /// Where the reference was written.
        pos: Pos,
    },
    /// `left CROSS JOIN right`, or `left, right`.
    CrossJoin {
        /// The left item.
        left: Box<FromItem>,
        /// The right item.
        right: Box<FromItem>,
    },
    /// `left [INNER | LEFT | RIGHT | FULL] JOIN right ON … | USING (…)`
    Join {
        /// Which rows the join keeps.
        kind: JoinKind,
        /// The left item.
        left: Box<FromItem>,
        /// The right item.
        right: Box<FromItem>,
        /// `ON condition` or `USING (columns)`.
        constraint: JoinConstraint,
    },
}

/// The kinds of qualified join.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinKind {
    /// `[INNER] JOIN`: matching pairs only.
    Inner,
    /// `LEFT [OUTER] JOIN`: every left row, NULL-extended when nothing matches.
    Left,
    /// `RIGHT [OUTER] JOIN`: every right row, NULL-extended when nothing matches.
    Right,
    /// `FULL [OUTER] JOIN`: both.
    Full,
}

/// How a qualified join matches rows.
#[derive(Clone, Debug, PartialEq)]
pub enum JoinConstraint {
    /// `ON condition`
    On(Expr),
    /// `USING (columns)`, with where each column was written.
    Using(Vec<(String, Pos)>),
    /// `NATURAL`: `USING` the columns both sides have.
    Natural,
}

/// One `ORDER BY` key.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderKey {
    /// The key.
    pub expr: Expr,
    /// `DESC`.
    pub descending: bool,
    /// `NULLS FIRST` (`Some(true)`) or `NULLS LAST` (`Some(false)`).
    pub nulls_first: Option<bool>,
}

/// A type as written: its name, modifiers and array bounds.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeName {
    /// The canonical name: `integer`, `double precision`, `vector`, `bit varying`, …
    pub name: String,
    /// The modifiers in parentheses.
    pub modifiers: Vec<TypeModifier>,
    /// The number of `[]` suffixes.
    pub array_dims: usize,
    /// Where the type's name was written.
    pub pos: Pos,
}

/// A type modifier.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeModifier {
    /// An integer.
    Number(String),
    /// A string (PostgreSQL passes it to the type's modifier function as text).
    Text(String),
}

/// An expression, with the position of its first character.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What the expression is.
    pub kind: ExprKind,
    /// Where it starts (for operators, where the operator is, as PostgreSQL reports).
    pub pos: Pos,
}

/// The kinds of expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A numeric literal as written.
    Number(String),
    /// A string literal.
    String(String),
    /// A bit-string literal (`B'101'`; hexadecimal ones are held as `x…`).
    BitString(String),
    /// `TRUE` / `FALSE`.
    Bool(bool),
    /// `NULL`.
    Null,
    /// A column, optionally qualified (`t.col`).
    Column(Vec<String>),
    /// A prefix operator (`-`, `+`, `NOT`).
    Unary {
        /// The operator (`NOT` is spelt `not`).
        op: String,
        /// The operand.
        operand: Box<Expr>,
    },
    /// An infix operator (`AND` and `OR` spelt `and`, `or`).
    Binary {
        /// The operator.
        op: String,
        /// The left operand.
        left: Box<Expr>,
        /// The right operand.
        right: Box<Expr>,
    },
    /// A long run of infix operators of one precedence level, left-associative:
    /// `first op₁ x₁ op₂ x₂ …` means `((first op₁ x₁) op₂ x₂) …`. The parser makes one
    /// (instead of nested [`ExprKind::Binary`] nodes) for a run longer than
    /// [`CHAIN_MIN_LINKS`], such as a long `AND`/`OR` list, an `IN` list or a long `+` or
    /// `||` chain, so that nothing walking the tree recurses as deep as the run is long.
    Chain {
        /// The leftmost operand.
        first: Box<Expr>,
        /// Each operator (`and`/`or` spelt so) with where it was written and its right
        /// operand.
        rest: Vec<ChainLink>,
    },
    /// `expr IS [NOT] NULL`
    IsNull {
        /// The operand.
        operand: Box<Expr>,
        /// `IS NOT NULL`.
        negated: bool,
    },
    /// `operand[index]`, or the slice `operand[lower:upper]` (either bound may be left
    /// out).
    Subscript {
        /// The array.
        operand: Box<Expr>,
        /// The index, or the slice's lower bound.
        lower: Option<Box<Expr>>,
        /// The slice's upper bound.
        upper: Option<Box<Expr>>,
        /// A slice (`[lower:upper]`) rather than one element.
        slice: bool,
    },
    /// `expr::type` or `CAST(expr AS type)`
    Cast {
        /// The operand.
        operand: Box<Expr>,
        /// The target type.
        type_name: TypeName,
    },
    /// `expr COLLATE name` (the name schema-qualified with a dot when written so).
    Collate {
        /// The operand.
        operand: Box<Expr>,
        /// The collation.
        collation: String,
    },
    /// A function call; `count(*)` has `star`.
    Function {
        /// The function's name, lower case.
        name: String,
        /// The arguments.
        args: Vec<Expr>,
        /// `count(*)`.
        star: bool,
        /// An aggregate call's `DISTINCT`, `ORDER BY` and `FILTER (WHERE …)`, when any
        /// is written.
        clauses: Option<Box<AggClauses>>,
    },
    /// `ARRAY[…]`
    Array(Vec<Expr>),
    /// `(SELECT …)`
    Subquery(Box<Select>),
    /// `left op ANY | SOME | ALL (array)`: the comparison over each element of an array
    /// expression (the query form is [`ExprKind::SubLink`]).
    ArrayCompare {
        /// The left operand.
        left: Box<Expr>,
        /// The operator.
        op: String,
        /// `ALL` (else `ANY` / `SOME`).
        all: bool,
        /// The array.
        array: Box<Expr>,
    },
    /// `EXISTS (query)`, `left op ANY | ALL (query)` (`IN (query)` is `= ANY`),
    /// `ARRAY(query)`.
    SubLink {
        /// Which test.
        kind: SubLinkKind,
        /// The query.
        query: Box<Select>,
    },
    /// `CASE [operand] WHEN … THEN … [ELSE …] END`
    Case {
        /// The operand compared with each `WHEN` value (a simple `CASE`).
        operand: Option<Box<Expr>>,
        /// The `WHEN` conditions (or values) and their results.
        whens: Vec<(Expr, Expr)>,
        /// The `ELSE` result.
        otherwise: Option<Box<Expr>>,
    },
    /// The `DEFAULT` keyword (allowed only as a value of `INSERT` or `UPDATE`).
    Default,
    /// A positional parameter `$n` (numbered from 1).
    Param(u32),
}

/// Runs of at most this many operators stay nested [`ExprKind::Binary`] nodes; longer
/// ones become one [`ExprKind::Chain`].
pub const CHAIN_MIN_LINKS: usize = 16;

/// One operator of an [`ExprKind::Chain`] and its right operand.
#[derive(Clone, Debug, PartialEq)]
pub struct ChainLink {
    /// The operator (`and` and `or` spelt so).
    pub op: String,
    /// Where the operator was written.
    pub pos: Pos,
    /// The right operand.
    pub operand: Expr,
}

impl Expr {
    /// A new expression at `pos`.
    pub fn new(kind: ExprKind, pos: usize) -> Self {
        Expr {
            kind,
            pos: Pos(pos),
        }
    }
}
