//! The statement grammar: DDL (`CREATE EXTENSION`, `CREATE TABLE`, `CREATE INDEX`,
//! `DROP TABLE`, `TRUNCATE`), DML (`INSERT`, `UPDATE`, `DELETE`), `SELECT`, the
//! run-time parameter commands `SET`, `SHOW` and `RESET`, and the maintenance commands
//! `REINDEX`, `VACUUM` and `ANALYZE` (their grammar is in `utility.rs`).

use super::Parser;
use crate::error::Result;
use crate::sql::ast::{
    ColumnDef, ConstraintKind, CreateIndex, CreateTable, Delete, Insert, InsertSource, Pos,
    Statement, TableConstraint, Update,
};
use crate::sql::lexer::TokenKind;

impl Parser<'_> {
    /// One statement.
    pub(super) fn statement(&mut self) -> Result<Statement> {
        if self.peek() == Some(&TokenKind::LParen) && self.peek_query_deep() {
            return Ok(Statement::Select(Box::new(self.select()?)));
        }
        let Some(TokenKind::Word(word)) = self.peek().cloned() else {
            return Err(self.error_here());
        };
        match word.as_str() {
            "select" | "with" | "table" | "values" => {
                Ok(Statement::Select(Box::new(self.select()?)))
            }
            "create" => self.create(),
            "drop" => self.drop_table(),
            "truncate" => {
                self.advance();
                self.eat_word("table");
                let mut names = vec![self.qualified_name()?];
                while self.eat(&TokenKind::Comma) {
                    names.push(self.qualified_name()?);
                }
                Ok(Statement::Truncate { names })
            }
            "insert" => self.insert(),
            "update" => self.update(),
            "delete" => self.delete(),
            "set" => self.set(),
            "begin" | "start" | "commit" | "end" | "rollback" | "abort" | "savepoint"
            | "release" => self.transaction(),
            "copy" => self.copy(),
            "explain" => self.explain(),
            "alter" => {
                self.advance();
                if self.eat_word("extension") {
                    let name = self.identifier()?;
                    self.expect_word("update")?;
                    let version = if self.eat_word("to") {
                        match self.advance().map(|t| t.kind) {
                            Some(TokenKind::String(v) | TokenKind::Word(v)) => Some(v),
                            _ => {
                                self.index -= 1;
                                return Err(self.error_here());
                            }
                        }
                    } else {
                        None
                    };
                    return Ok(Statement::AlterExtension { name, version });
                }
                self.expect_word("table")?;
                let table = self.qualified_name()?;
                if self.eat_word("alter") {
                    self.eat_word("column");
                    let column = self.identifier()?;
                    self.expect_word("set")?;
                    if self.eat_word("statistics") {
                        let negative = self.eat_op("-");
                        let target = match self.advance().map(|t| t.kind) {
                            Some(TokenKind::Number(n)) => n.parse::<i64>().ok(),
                            _ => None,
                        };
                        let Some(target) = target else {
                            self.index -= 1;
                            return Err(self.error_here());
                        };
                        return Ok(Statement::SetStatistics {
                            table,
                            column,
                            target: if negative { -target } else { target },
                        });
                    }
                    self.expect_word("storage")?;
                    let storage = self.label()?;
                    return Ok(Statement::SetStorage {
                        table,
                        column,
                        storage,
                    });
                }
                if self.eat_word("drop") {
                    self.expect_word("constraint")?;
                    let if_exists = self.eat_word("if");
                    if if_exists {
                        self.expect_word("exists")?;
                    }
                    let name = self.identifier()?;
                    return Ok(Statement::DropConstraint {
                        table,
                        name,
                        if_exists,
                    });
                }
                self.expect_word("add")?;
                if let Some(constraint) = self.table_constraint()? {
                    return Ok(Statement::AddConstraint { table, constraint });
                }
                self.eat_word("column");
                let if_not_exists = self.eat_word("if");
                if if_not_exists {
                    self.expect_word("not")?;
                    self.expect_word("exists")?;
                }
                let column = self.column_def()?;
                Ok(Statement::AddColumn {
                    table,
                    column,
                    if_not_exists,
                })
            }
            "reindex" => self.reindex(),
            "prepare" | "execute" | "deallocate" | "discard" => self.prepared(),
            "vacuum" | "analyze" | "analyse" => self.maintenance(),
            "show" => {
                self.advance();
                let name = self.parameter_name()?;
                Ok(Statement::Show { name })
            }
            "reset" => {
                self.advance();
                let name = self.parameter_name()?;
                Ok(Statement::Reset { name })
            }
            _ => Err(self.error_here()),
        }
    }

    fn create(&mut self) -> Result<Statement> {
        self.advance();
        if self.eat_word("extension") {
            let if_not_exists = self.if_not_exists()?;
            let name = self.identifier()?;
            return Ok(Statement::CreateExtension {
                name,
                if_not_exists,
            });
        }
        if self.eat_word("schema") {
            return self.create_schema();
        }
        let unlogged = self.eat_word("unlogged");
        if self.eat_word("table") {
            return self.create_table();
        }
        if unlogged {
            return Err(self.error_here());
        }
        if self.peek_word("unique") || self.peek_word("index") {
            return self.create_index();
        }
        Err(self.error_here())
    }

    /// `IF EXISTS`, if written.
    pub(super) fn if_exists(&mut self) -> Result<bool> {
        if self.eat_word("if") {
            self.expect_word("exists")?;
            return Ok(true);
        }
        Ok(false)
    }

    pub(super) fn if_not_exists(&mut self) -> Result<bool> {
        if self.eat_word("if") {
            self.expect_word("not")?;
            self.expect_word("exists")?;
            return Ok(true);
        }
        Ok(false)
    }

    fn create_table(&mut self) -> Result<Statement> {
        let if_not_exists = self.if_not_exists()?;
        let name_pos = Pos(self.pos());
        let name = self.qualified_name()?;
        if self.at_create_table_as() {
            return self.create_table_as(name, if_not_exists);
        }
        self.expect(&TokenKind::LParen)?;
        let mut table = CreateTable {
            name,
            name_pos,
            if_not_exists,
            columns: Vec::new(),
            primary_key: Vec::new(),
            constraints: Vec::new(),
        };
        loop {
            if let Some(constraint) = self.table_constraint()? {
                table.constraints.push(constraint);
            } else if self.eat_word("primary") {
                self.expect_word("key")?;
                self.expect(&TokenKind::LParen)?;
                loop {
                    table.primary_key.push(self.identifier()?);
                    if !self.eat(&TokenKind::Comma) {
                        break;
                    }
                }
                self.expect(&TokenKind::RParen)?;
            } else {
                table.columns.push(self.column_def()?);
            }
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        self.expect(&TokenKind::RParen)?;
        Ok(Statement::CreateTable(table))
    }

    fn column_def(&mut self) -> Result<ColumnDef> {
        let name = self.identifier()?;
        let type_name = self.type_name()?;
        let mut column = ColumnDef {
            name,
            type_name,
            not_null: false,
            primary_key: false,
            identity: false,
            identity_always: false,
            default: None,
            generated: None,
            clause_pos: Pos(0),
            constraints: Vec::new(),
        };
        loop {
            let named = if self.eat_word("constraint") {
                Some(self.identifier()?)
            } else {
                None
            };
            if self.eat_word("unique") {
                column.constraints.push(TableConstraint {
                    name: named,
                    kind: ConstraintKind::Unique(vec![column.name.clone()]),
                });
            } else if self.eat_word("check") {
                let kind = ConstraintKind::Check(self.check_expr()?);
                column
                    .constraints
                    .push(TableConstraint { name: named, kind });
            } else if named.is_some() {
                return Err(self.error_here());
            } else if self.eat_word("primary") {
                self.expect_word("key")?;
                column.primary_key = true;
            } else if self.eat_word("not") {
                self.expect_word("null")?;
                column.not_null = true;
            } else if self.eat_word("null") {
                column.not_null = false;
            } else if self.peek_word("default") || self.peek_word("generated") {
                column.clause_pos = Pos(self.pos());
                if self.eat_word("default") {
                    column.default = Some(self.expr()?);
                    continue;
                }
                self.advance();
                let always = self.eat_word("always");
                if !always {
                    self.expect_word("by")?;
                    self.expect_word("default")?;
                }
                self.expect_word("as")?;
                if always && self.eat(&TokenKind::LParen) {
                    let expr = self.expr()?;
                    self.expect(&TokenKind::RParen)?;
                    self.expect_word("stored")?;
                    column.generated = Some(expr);
                } else {
                    self.expect_word("identity")?;
                    column.identity = true;
                    column.identity_always = always;
                }
            } else {
                return Ok(column);
            }
        }
    }

    /// A table constraint (`[CONSTRAINT name] UNIQUE (…) | CHECK (…)`), or `None` (having
    /// consumed nothing) when none starts here.
    fn table_constraint(&mut self) -> Result<Option<TableConstraint>> {
        let name = if self.eat_word("constraint") {
            Some(self.identifier()?)
        } else if self.peek_word("unique") || self.peek_word("check") {
            None
        } else {
            return Ok(None);
        };
        let kind = if self.eat_word("unique") {
            self.expect(&TokenKind::LParen)?;
            let mut columns = Vec::new();
            loop {
                columns.push(self.identifier()?);
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
            self.expect(&TokenKind::RParen)?;
            ConstraintKind::Unique(columns)
        } else {
            self.expect_word("check")?;
            ConstraintKind::Check(self.check_expr()?)
        };
        Ok(Some(TableConstraint { name, kind }))
    }

    /// `CHECK`'s parenthesized expression.
    fn check_expr(&mut self) -> Result<crate::sql::ast::Expr> {
        self.expect(&TokenKind::LParen)?;
        let expr = self.expr()?;
        self.expect(&TokenKind::RParen)?;
        Ok(expr)
    }

    fn create_index(&mut self) -> Result<Statement> {
        if self.peek_word("unique") {
            return Err(self.error_here());
        }
        self.expect_word("index")?;
        self.eat_word("concurrently");
        let if_not_exists = self.if_not_exists()?;
        let name = if self.peek_word("on") {
            None
        } else {
            Some(self.identifier()?)
        };
        self.expect_word("on")?;
        self.eat_word("only");
        let table = self.qualified_name()?;
        let method_pos = Pos(self.pos());
        let method = if self.eat_word("using") {
            Some(self.identifier()?)
        } else {
            None
        };
        self.expect(&TokenKind::LParen)?;
        let mut keys = Vec::new();
        loop {
            let key = self.expr()?;
            let opclass = if self.at_bare_alias() {
                Some(self.identifier()?)
            } else {
                None
            };
            keys.push((key, opclass));
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        self.expect(&TokenKind::RParen)?;
        let mut with = Vec::new();
        if self.eat_word("with") {
            self.expect(&TokenKind::LParen)?;
            loop {
                let option = self.label()?;
                if !self.eat_op("=") {
                    return Err(self.error_here());
                }
                with.push((option, self.set_value()?));
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
            self.expect(&TokenKind::RParen)?;
        }
        let predicate = if self.eat_word("where") {
            Some(self.expr()?)
        } else {
            None
        };
        Ok(Statement::CreateIndex(CreateIndex {
            name,
            if_not_exists,
            table,
            method,
            method_pos,
            keys,
            with,
            predicate,
        }))
    }

    fn drop_table(&mut self) -> Result<Statement> {
        self.advance();
        if self.eat_word("schema") {
            return self.drop_schema();
        }
        if self.eat_word("extension") {
            let if_exists = self.if_exists()?;
            let mut names = vec![self.identifier()?];
            while self.eat(&TokenKind::Comma) {
                names.push(self.identifier()?);
            }
            let _ = self.eat_word("cascade") || self.eat_word("restrict");
            return Ok(Statement::DropExtension { names, if_exists });
        }
        let index = self.eat_word("index");
        if index {
            self.eat_word("concurrently");
        } else {
            self.expect_word("table")?;
        }
        let if_exists = self.if_exists()?;
        let mut names = vec![self.qualified_name()?];
        while self.eat(&TokenKind::Comma) {
            names.push(self.qualified_name()?);
        }
        let _ = self.eat_word("cascade") || self.eat_word("restrict");
        if index {
            return Ok(Statement::DropIndex { names, if_exists });
        }
        Ok(Statement::DropTable { names, if_exists })
    }

    fn insert(&mut self) -> Result<Statement> {
        self.advance();
        self.expect_word("into")?;
        let table_pos = Pos(self.pos());
        let table = self.qualified_name()?;
        let mut columns = Vec::new();
        // `INSERT INTO t (SELECT …)` is a parenthesised query, not a column list.
        if !self.peek_query_deep() && self.eat(&TokenKind::LParen) {
            loop {
                let pos = Pos(self.pos());
                columns.push((self.identifier()?, pos));
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
            self.expect(&TokenKind::RParen)?;
        }
        let overriding = if self.eat_word("overriding") {
            let kind = if self.eat_word("system") {
                crate::sql::ast::Overriding::System
            } else {
                self.expect_word("user")?;
                crate::sql::ast::Overriding::User
            };
            self.expect_word("value")?;
            Some(kind)
        } else {
            None
        };
        let source = if self.eat_word("default") {
            self.expect_word("values")?;
            InsertSource::DefaultValues
        } else if self.eat_word("values") {
            let mut rows = Vec::new();
            loop {
                self.expect(&TokenKind::LParen)?;
                rows.push(self.expr_list()?);
                self.expect(&TokenKind::RParen)?;
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
            InsertSource::Values(rows)
        } else if self.peek_query_deep() {
            InsertSource::Query(Box::new(self.select()?))
        } else {
            return Err(self.error_here());
        };
        let on_conflict = self.on_conflict()?;
        let returning = self.returning()?;
        Ok(Statement::Insert(Insert {
            table,
            table_pos,
            columns,
            overriding,
            source,
            on_conflict,
            returning,
        }))
    }

    fn on_conflict(&mut self) -> Result<Option<crate::sql::ast::OnConflict>> {
        let pos = Pos(self.pos());
        if !self.eat_word("on") {
            return Ok(None);
        }
        self.expect_word("conflict")?;
        let mut columns = Vec::new();
        let mut constraint = None;
        if self.eat(&TokenKind::LParen) {
            columns = self.identifiers_to_paren()?;
        } else if self.eat_word("on") {
            self.expect_word("constraint")?;
            constraint = Some(self.identifier()?);
        }
        self.expect_word("do")?;
        let update = if self.eat_word("nothing") {
            None
        } else {
            self.expect_word("update")?;
            self.expect_word("set")?;
            Some(self.assignments()?)
        };
        Ok(Some(crate::sql::ast::OnConflict {
            columns,
            constraint,
            update,
            pos,
        }))
    }

    fn assignments(&mut self) -> Result<Vec<(String, Pos, crate::sql::ast::Expr)>> {
        let mut assignments = Vec::new();
        loop {
            let pos = Pos(self.pos());
            let column = self.identifier()?;
            if !self.eat_op("=") {
                return Err(self.error_here());
            }
            assignments.push((column, pos, self.expr()?));
            if !self.eat(&TokenKind::Comma) {
                return Ok(assignments);
            }
        }
    }

    fn returning(&mut self) -> Result<Vec<crate::sql::ast::SelectItem>> {
        if self.eat_word("returning") {
            self.select_list()
        } else {
            Ok(Vec::new())
        }
    }

    fn update(&mut self) -> Result<Statement> {
        self.advance();
        let table_pos = Pos(self.pos());
        let table = self.qualified_name()?;
        self.expect_word("set")?;
        let assignments = self.assignments()?;
        let selection = if self.eat_word("where") {
            Some(self.expr()?)
        } else {
            None
        };
        let returning = self.returning()?;
        Ok(Statement::Update(Update {
            table,
            table_pos,
            assignments,
            selection,
            returning,
        }))
    }

    fn delete(&mut self) -> Result<Statement> {
        self.advance();
        self.expect_word("from")?;
        let table_pos = Pos(self.pos());
        let table = self.qualified_name()?;
        let selection = if self.eat_word("where") {
            Some(self.expr()?)
        } else {
            None
        };
        let returning = self.returning()?;
        Ok(Statement::Delete(Delete {
            table,
            table_pos,
            selection,
            returning,
        }))
    }
}
