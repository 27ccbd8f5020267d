//! `Display` for the syntax tree: prints SQL that parses back to an equal tree.
//!
//! Binary and unary operators are fully parenthesised, identifiers are quoted when they
//! would not survive case folding or clash with a reserved word, and strings double
//! their quotes.

use std::fmt::{self, Display, Formatter};

use super::ast::*;

mod expr;
mod query;

/// A name as SQL text: bare when it reads back as itself, else double-quoted.
pub(crate) fn quoted_ident(name: &str) -> String {
    struct Ident<'a>(&'a str);
    impl fmt::Display for Ident<'_> {
        fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
            ident(f, self.0)
        }
    }
    Ident(name).to_string()
}

/// `DROP what [IF EXISTS] name, …`.
pub(crate) fn drop_clause(
    f: &mut Formatter<'_>,
    what: &str,
    if_exists: bool,
    names: &[String],
) -> fmt::Result {
    write!(f, "DROP {what} ")?;
    if if_exists {
        f.write_str("IF EXISTS ")?;
    }
    list(f, names, |f, name| ident(f, name))
}

/// `CREATE what [IF NOT EXISTS] name`.
pub(crate) fn create_clause(
    f: &mut Formatter<'_>,
    what: &str,
    if_not_exists: bool,
    name: &str,
) -> fmt::Result {
    write!(f, "CREATE {what} ")?;
    if if_not_exists {
        f.write_str("IF NOT EXISTS ")?;
    }
    ident(f, name)
}

pub(super) fn ident(f: &mut Formatter<'_>, name: &str) -> fmt::Result {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !super::parser_reserved(name);
    if plain {
        f.write_str(name)
    } else {
        write!(f, "\"{}\"", name.replace('"', "\"\""))
    }
}

pub(super) fn string(f: &mut Formatter<'_>, text: &str) -> fmt::Result {
    write!(f, "'{}'", text.replace('\'', "''"))
}

pub(super) fn list<T>(
    f: &mut Formatter<'_>,
    items: &[T],
    mut each: impl FnMut(&mut Formatter<'_>, &T) -> fmt::Result,
) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        each(f, item)?;
    }
    Ok(())
}

impl Display for Statement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Statement::CreateTableAs(create) => {
                f.write_str("CREATE TABLE ")?;
                if create.if_not_exists {
                    f.write_str("IF NOT EXISTS ")?;
                }
                ident(f, &create.name)?;
                if !create.columns.is_empty() {
                    f.write_str(" (")?;
                    list(f, &create.columns, |f, (name, _)| ident(f, name))?;
                    f.write_str(")")?;
                }
                write!(f, " AS {}", create.query)?;
                if !create.with_data {
                    f.write_str(" WITH NO DATA")?;
                }
                Ok(())
            }
            Statement::DropExtension { names, if_exists } => {
                drop_clause(f, "EXTENSION", *if_exists, names)
            }
            Statement::AlterExtension { name, version } => {
                f.write_str("ALTER EXTENSION ")?;
                ident(f, name)?;
                f.write_str(" UPDATE")?;
                if let Some(version) = version {
                    write!(f, " TO '{}'", version.replace('\'', "''"))?;
                }
                Ok(())
            }
            Statement::CreateExtension {
                name,
                if_not_exists,
            } => create_clause(f, "EXTENSION", *if_not_exists, name),
            Statement::CreateTable(table) => table.fmt(f),
            Statement::Schema(command) => command.fmt(f),
            Statement::DropTable { names, if_exists } => {
                f.write_str("DROP TABLE ")?;
                if *if_exists {
                    f.write_str("IF EXISTS ")?;
                }
                list(f, names, |f, n| ident(f, n))
            }
            Statement::SetStatistics {
                table,
                column,
                target,
            } => {
                f.write_str("ALTER TABLE ")?;
                ident(f, table)?;
                f.write_str(" ALTER COLUMN ")?;
                ident(f, column)?;
                write!(f, " SET STATISTICS {target}")
            }
            Statement::SetStorage {
                table,
                column,
                storage,
            } => {
                f.write_str("ALTER TABLE ")?;
                ident(f, table)?;
                f.write_str(" ALTER COLUMN ")?;
                ident(f, column)?;
                write!(f, " SET STORAGE {}", storage.to_ascii_uppercase())
            }
            Statement::AddColumn {
                table,
                column,
                if_not_exists,
            } => {
                f.write_str("ALTER TABLE ")?;
                ident(f, table)?;
                f.write_str(" ADD COLUMN ")?;
                if *if_not_exists {
                    f.write_str("IF NOT EXISTS ")?;
                }
                column.fmt(f)
            }
            Statement::AddConstraint { table, constraint } => {
                f.write_str("ALTER TABLE ")?;
                ident(f, table)?;
                write!(f, " ADD {constraint}")
            }
            Statement::DropConstraint {
                table,
                name,
                if_exists,
            } => {
                f.write_str("ALTER TABLE ")?;
                ident(f, table)?;
                f.write_str(" DROP CONSTRAINT ")?;
                if *if_exists {
                    f.write_str("IF EXISTS ")?;
                }
                ident(f, name)
            }
            Statement::DropIndex { names, if_exists } => {
                f.write_str("DROP INDEX ")?;
                if *if_exists {
                    f.write_str("IF EXISTS ")?;
                }
                list(f, names, |f, n| ident(f, n))
            }
            Statement::Truncate { names } => {
                f.write_str("TRUNCATE ")?;
                list(f, names, |f, n| ident(f, n))
            }
            Statement::CreateIndex(index) => index.fmt(f),
            Statement::Insert(insert) => insert.fmt(f),
            Statement::Update(update) => update.fmt(f),
            Statement::Delete(delete) => {
                f.write_str("DELETE FROM ")?;
                ident(f, &delete.table)?;
                if let Some(selection) = &delete.selection {
                    write!(f, " WHERE {selection}")?;
                }
                returning(f, &delete.returning)
            }
            Statement::Select(select) => select.fmt(f),
            Statement::Set { name, value, local } => {
                f.write_str(if *local { "SET LOCAL " } else { "SET " })?;
                f.write_str(name)?;
                match value {
                    None => f.write_str(" = DEFAULT"),
                    Some(SetValue::Number(n)) => write!(f, " = {n}"),
                    Some(SetValue::Text(t)) => {
                        f.write_str(" = ")?;
                        string(f, t)
                    }
                }
            }
            Statement::Copy(copy) => {
                f.write_str("COPY ")?;
                match &copy.query {
                    Some(query) => write!(f, "({query})")?,
                    None => ident(f, &copy.table)?,
                }
                if !copy.columns.is_empty() {
                    f.write_str(" (")?;
                    list(f, &copy.columns, |f, c| ident(f, c))?;
                    f.write_str(")")?;
                }
                f.write_str(if copy.from { " FROM " } else { " TO " })?;
                match &copy.file {
                    Some(path) => string(f, path)?,
                    None => f.write_str(if copy.from { "STDIN" } else { "STDOUT" })?,
                }
                if !copy.options.is_empty() {
                    f.write_str(" WITH (")?;
                    list(f, &copy.options, |f, (name, value)| {
                        ident(f, name)?;
                        match value {
                            Some(value) => {
                                f.write_str(" ")?;
                                string(f, value)
                            }
                            None => Ok(()),
                        }
                    })?;
                    f.write_str(")")?;
                }
                Ok(())
            }
            Statement::Explain { options, query } => {
                write!(f, "{}{query}", explain_prefix(options))
            }
            Statement::ExplainExecute {
                options,
                name,
                args,
                ..
            } => {
                f.write_str(&explain_prefix(options))?;
                execute(f, name, args)
            }
            Statement::Show { name } => write!(f, "SHOW {name}"),
            Statement::Prepare(prepare) => {
                f.write_str("PREPARE ")?;
                ident(f, &prepare.name)?;
                if !prepare.param_types.is_empty() {
                    f.write_str(" (")?;
                    for (i, ty) in prepare.param_types.iter().enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        write!(f, "{ty}")?;
                    }
                    f.write_str(")")?;
                }
                write!(f, " AS {}", prepare.statement)
            }
            Statement::Execute { name, args, .. } => execute(f, name, args),
            Statement::Deallocate { name: None } => f.write_str("DEALLOCATE ALL"),
            Statement::Deallocate { name: Some(name) } => {
                f.write_str("DEALLOCATE ")?;
                ident(f, name)
            }
            Statement::DiscardAll => f.write_str("DISCARD ALL"),
            Statement::Reset { name } => write!(f, "RESET {name}"),
            Statement::Transaction(command) => {
                let with_modes =
                    |f: &mut fmt::Formatter<'_>, head: &str, modes: &TransactionModes| {
                        f.write_str(head)?;
                        if *modes != TransactionModes::default() {
                            write!(f, " {modes}")?;
                        }
                        Ok(())
                    };
                match command {
                    TransactionCommand::Begin(modes) => with_modes(f, "BEGIN", modes),
                    TransactionCommand::StartTransaction(modes) => {
                        with_modes(f, "START TRANSACTION", modes)
                    }
                    TransactionCommand::Commit => f.write_str("COMMIT"),
                    TransactionCommand::Rollback => f.write_str("ROLLBACK"),
                    TransactionCommand::Savepoint(name) => write!(f, "SAVEPOINT {name}"),
                    TransactionCommand::RollbackTo(name) => {
                        write!(f, "ROLLBACK TO SAVEPOINT {name}")
                    }
                    TransactionCommand::Release(name) => write!(f, "RELEASE SAVEPOINT {name}"),
                    TransactionCommand::SetTransaction(modes) => {
                        write!(f, "SET TRANSACTION {modes}")
                    }
                    TransactionCommand::SetSessionCharacteristics(modes) => {
                        write!(f, "SET SESSION CHARACTERISTICS AS TRANSACTION {modes}")
                    }
                }
            }
            Statement::Reindex { table, name, .. } => {
                f.write_str(if *table {
                    "REINDEX TABLE "
                } else {
                    "REINDEX INDEX "
                })?;
                ident(f, name)
            }
            Statement::Maintenance(command) => {
                f.write_str(match (command.vacuum, command.analyze) {
                    (true, true) => "VACUUM ANALYZE",
                    (true, false) => "VACUUM",
                    _ => "ANALYZE",
                })?;
                for (i, (table, _)) in command.tables.iter().enumerate() {
                    f.write_str(if i == 0 { " " } else { ", " })?;
                    ident(f, table)?;
                    match command.columns.get(i) {
                        Some(columns) if !columns.is_empty() => {
                            f.write_str(" (")?;
                            list(f, columns, |f, c| ident(f, c))?;
                            f.write_str(")")?;
                        }
                        _ => {}
                    }
                }
                Ok(())
            }
        }
    }
}

impl Display for CreateTable {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("CREATE TABLE ")?;
        if self.if_not_exists {
            f.write_str("IF NOT EXISTS ")?;
        }
        ident(f, &self.name)?;
        f.write_str(" (")?;
        list(f, &self.columns, |f, column| column.fmt(f))?;
        if !self.primary_key.is_empty() {
            f.write_str(", PRIMARY KEY (")?;
            list(f, &self.primary_key, |f, n| ident(f, n))?;
            f.write_str(")")?;
        }
        for constraint in &self.constraints {
            write!(f, ", {constraint}")?;
        }
        f.write_str(")")
    }
}

impl Display for OrderKey {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.expr.fmt(f)?;
        if self.descending {
            f.write_str(" DESC")?;
        }
        match self.nulls_first {
            Some(true) => f.write_str(" NULLS FIRST"),
            Some(false) => f.write_str(" NULLS LAST"),
            None => Ok(()),
        }
    }
}

impl Display for TableConstraint {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(name) = &self.name {
            f.write_str("CONSTRAINT ")?;
            ident(f, name)?;
            f.write_str(" ")?;
        }
        match &self.kind {
            ConstraintKind::Unique(columns) => {
                f.write_str("UNIQUE (")?;
                list(f, columns, |f, n| ident(f, n))?;
                f.write_str(")")
            }
            ConstraintKind::Check(expr) => write!(f, "CHECK ({expr})"),
        }
    }
}

impl Display for ColumnDef {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        ident(f, &self.name)?;
        write!(f, " {}", self.type_name)?;
        if self.primary_key {
            f.write_str(" PRIMARY KEY")?;
        }
        if self.not_null {
            f.write_str(" NOT NULL")?;
        }
        if self.identity_always {
            f.write_str(" GENERATED ALWAYS AS IDENTITY")?;
        } else if self.identity {
            f.write_str(" GENERATED BY DEFAULT AS IDENTITY")?;
        }
        if let Some(default) = &self.default {
            write!(f, " DEFAULT {default}")?;
        }
        if let Some(generated) = &self.generated {
            write!(f, " GENERATED ALWAYS AS ({generated}) STORED")?;
        }
        for constraint in &self.constraints {
            if let Some(name) = &constraint.name {
                f.write_str(" CONSTRAINT ")?;
                ident(f, name)?;
            }
            match &constraint.kind {
                // A column's `UNIQUE` names the column itself.
                ConstraintKind::Unique(_) => f.write_str(" UNIQUE")?,
                ConstraintKind::Check(expr) => write!(f, " CHECK ({expr})")?,
            }
        }
        Ok(())
    }
}

impl Display for CreateIndex {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("CREATE INDEX ")?;
        if self.if_not_exists {
            f.write_str("IF NOT EXISTS ")?;
        }
        if let Some(name) = &self.name {
            ident(f, name)?;
            f.write_str(" ")?;
        }
        f.write_str("ON ")?;
        ident(f, &self.table)?;
        if let Some(method) = &self.method {
            f.write_str(" USING ")?;
            ident(f, method)?;
        }
        f.write_str(" (")?;
        list(f, &self.keys, |f, (key, opclass)| {
            write!(f, "({key})")?;
            if let Some(opclass) = opclass {
                f.write_str(" ")?;
                ident(f, opclass)?;
            }
            Ok(())
        })?;
        f.write_str(")")?;
        if !self.with.is_empty() {
            f.write_str(" WITH (")?;
            list(f, &self.with, |f, (name, value)| {
                ident(f, name)?;
                match value {
                    SetValue::Number(n) => write!(f, " = {n}"),
                    SetValue::Text(t) => {
                        f.write_str(" = ")?;
                        string(f, t)
                    }
                }
            })?;
            f.write_str(")")?;
        }
        if let Some(predicate) = &self.predicate {
            write!(f, " WHERE ({predicate})")?;
        }
        Ok(())
    }
}

impl Display for Insert {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("INSERT INTO ")?;
        ident(f, &self.table)?;
        if !self.columns.is_empty() {
            f.write_str(" (")?;
            list(f, &self.columns, |f, (n, _)| ident(f, n))?;
            f.write_str(")")?;
        }
        match self.overriding {
            Some(crate::sql::ast::Overriding::System) => f.write_str(" OVERRIDING SYSTEM VALUE")?,
            Some(crate::sql::ast::Overriding::User) => f.write_str(" OVERRIDING USER VALUE")?,
            None => {}
        }
        match &self.source {
            InsertSource::Values(rows) => {
                f.write_str(" VALUES ")?;
                list(f, rows, |f, row| {
                    f.write_str("(")?;
                    list(f, row, |f, e| e.fmt(f))?;
                    f.write_str(")")
                })?;
            }
            // A `VALUES` query in brackets, so that it stays a query.
            InsertSource::Query(query) if matches!(query.from, Some(FromItem::Values { .. })) => {
                write!(f, " ({query})")?
            }
            InsertSource::Query(query) => write!(f, " {query}")?,
            InsertSource::DefaultValues => f.write_str(" DEFAULT VALUES")?,
        }
        if let Some(conflict) = &self.on_conflict {
            f.write_str(" ON CONFLICT ")?;
            if let Some(constraint) = &conflict.constraint {
                f.write_str("ON CONSTRAINT ")?;
                ident(f, constraint)?;
                f.write_str(" ")?;
            } else if !conflict.columns.is_empty() {
                f.write_str("(")?;
                list(f, &conflict.columns, |f, n| ident(f, n))?;
                f.write_str(") ")?;
            }
            f.write_str("DO ")?;
            match &conflict.update {
                None => f.write_str("NOTHING")?,
                Some(assignments) => {
                    f.write_str("UPDATE SET ")?;
                    list(f, assignments, |f, (column, _, value)| {
                        ident(f, column)?;
                        write!(f, " = {value}")
                    })?;
                }
            }
        }
        returning(f, &self.returning)
    }
}

impl Display for Update {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("UPDATE ")?;
        ident(f, &self.table)?;
        f.write_str(" SET ")?;
        list(f, &self.assignments, |f, (column, _, value)| {
            ident(f, column)?;
            write!(f, " = {value}")
        })?;
        if let Some(selection) = &self.selection {
            write!(f, " WHERE {selection}")?;
        }
        returning(f, &self.returning)
    }
}

fn returning(f: &mut Formatter<'_>, items: &[SelectItem]) -> fmt::Result {
    if items.is_empty() {
        return Ok(());
    }
    f.write_str(" RETURNING ")?;
    list(f, items, |f, item| item.fmt(f))
}

impl Display for TypeName {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let plain = self
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == ' ' || c.is_ascii_digit())
            && !self.name.is_empty();
        if plain {
            f.write_str(&self.name)?;
        } else {
            ident(f, &self.name)?;
        }
        if !self.modifiers.is_empty() {
            f.write_str("(")?;
            list(f, &self.modifiers, |f, m| match m {
                TypeModifier::Number(n) => f.write_str(n),
                TypeModifier::Text(t) => string(f, t),
            })?;
            f.write_str(")")?;
        }
        for _ in 0..self.array_dims {
            f.write_str("[]")?;
        }
        Ok(())
    }
}

/// `EXPLAIN ` and the options that differ from their defaults, as written back.
fn explain_prefix(options: &crate::sql::ast::ExplainOptions) -> String {
    let mut listed = Vec::new();
    let defaults = crate::sql::ast::ExplainOptions::default();
    let flags = [
        ("ANALYZE", options.analyze, defaults.analyze),
        ("VERBOSE", options.verbose, defaults.verbose),
        ("COSTS", options.costs, defaults.costs),
        ("BUFFERS", options.buffers, defaults.buffers),
        ("TIMING", options.timing, options.analyze),
        ("SUMMARY", options.summary, options.analyze),
    ];
    for (name, value, default) in flags {
        if value != default {
            listed.push(format!("{name} {}", if value { "ON" } else { "OFF" }));
        }
    }
    if options.format != defaults.format {
        listed.push(format!("FORMAT {}", options.format.name().to_uppercase()));
    }
    if listed.is_empty() {
        "EXPLAIN ".to_string()
    } else {
        format!("EXPLAIN ({}) ", listed.join(", "))
    }
}

/// `EXECUTE name (arguments)`.
fn execute(f: &mut fmt::Formatter<'_>, name: &str, args: &[crate::sql::ast::Expr]) -> fmt::Result {
    f.write_str("EXECUTE ")?;
    ident(f, name)?;
    if !args.is_empty() {
        f.write_str(" (")?;
        for (i, arg) in args.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{arg}")?;
        }
        f.write_str(")")?;
    }
    Ok(())
}
