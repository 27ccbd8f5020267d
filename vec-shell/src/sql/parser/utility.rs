//! The utility statements' grammar: `COPY` with its options, and the run-time
//! parameter commands' pieces (`SET` values, dotted parameter names).

use super::Parser;
use crate::error::{EngineError, Result};
use crate::sql::ast::{ExplainFormat, ExplainOptions, Pos, SetValue, Statement};
use crate::sql::lexer::TokenKind;

impl Parser<'_> {
    pub(super) fn set(&mut self) -> Result<Statement> {
        self.advance();
        if let Some(statement) = self.set_transaction()? {
            return Ok(statement);
        }
        let local = self.eat_word("local");
        if !local {
            self.eat_word("session");
        }
        let name = self.parameter_name()?;
        if !self.eat_word("to") && !self.eat_op("=") {
            return Err(self.error_here());
        }
        if name == "search_path" {
            let value = self.schema_list()?;
            return Ok(Statement::Set { name, value, local });
        }
        let value = self.set_value_or_default()?;
        Ok(Statement::Set { name, value, local })
    }

    /// A `search_path` value: `DEFAULT`, or schema names (words, quoted names or
    /// strings) separated by commas, kept as PostgreSQL shows them: each name quoted
    /// where it needs quotes, joined by `, `.
    fn schema_list(&mut self) -> Result<Option<SetValue>> {
        if self.eat_word("default") {
            return Ok(None);
        }
        let mut names = Vec::new();
        loop {
            let name = match self.advance().map(|t| t.kind) {
                Some(TokenKind::Word(w) | TokenKind::QuotedIdent(w) | TokenKind::String(w)) => w,
                _ => {
                    self.index -= 1;
                    return Err(self.error_here());
                }
            };
            names.push(crate::sql::display::quoted_ident(&name));
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        Ok(Some(SetValue::Text(names.join(", "))))
    }
    pub(super) fn copy(&mut self) -> Result<Statement> {
        self.advance();
        let table_pos = Pos(self.pos());
        if self.eat(&TokenKind::LParen) {
            // `COPY (query) TO …`
            let query = self.select()?;
            self.expect(&TokenKind::RParen)?;
            self.expect_word("to")?;
            let mut copy = self.copy_target(String::new(), table_pos, Vec::new(), false)?;
            copy.query = Some(Box::new(query));
            return Ok(Statement::Copy(copy));
        }
        let table = self.qualified_name()?;
        let columns = match self.eat(&TokenKind::LParen) {
            true => self.identifiers_to_paren()?,
            false => Vec::new(),
        };
        let from = if self.eat_word("from") {
            true
        } else {
            self.expect_word("to")?;
            false
        };
        Ok(Statement::Copy(
            self.copy_target(table, table_pos, columns, from)?,
        ))
    }

    /// The rest of `COPY` after `FROM` or `TO`: the file or `STDIN` / `STDOUT`, and the
    /// options.
    fn copy_target(
        &mut self,
        table: String,
        table_pos: Pos,
        columns: Vec<String>,
        from: bool,
    ) -> Result<crate::sql::ast::Copy> {
        let file = match self.advance().map(|t| t.kind) {
            Some(TokenKind::String(path)) => Some(path),
            Some(TokenKind::Word(w)) if (w == "stdin" && from) || (w == "stdout" && !from) => None,
            Some(_) => {
                self.index -= 1;
                return Err(self.error_here());
            }
            None => return Err(self.error_here()),
        };
        let mut options = Vec::new();
        let parenthesized = if self.eat_word("with") {
            self.expect(&TokenKind::LParen)?;
            true
        } else {
            self.eat(&TokenKind::LParen)
        };
        loop {
            let option = match self.peek() {
                Some(TokenKind::Word(w)) => w.clone(),
                _ => break,
            };
            self.advance();
            // The old syntax spells `CSV`, `BINARY` and `HEADER` alone.
            let value = match (option.as_str(), self.peek().cloned()) {
                ("csv" | "binary" | "text", _) if !parenthesized => {
                    options.push(("format".to_string(), Some(option)));
                    continue;
                }
                (_, Some(TokenKind::String(v)))
                | (_, Some(TokenKind::Word(v)))
                | (_, Some(TokenKind::Number(v))) => {
                    self.advance();
                    Some(v)
                }
                _ => None,
            };
            options.push((option, value));
            if parenthesized && !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        if parenthesized {
            self.expect(&TokenKind::RParen)?;
        }
        Ok(crate::sql::ast::Copy {
            table,
            table_pos,
            columns,
            query: None,
            from,
            file,
            options,
        })
    }

    /// A `SET` value, `None` for `DEFAULT`.
    fn set_value_or_default(&mut self) -> Result<Option<SetValue>> {
        let value = match self.advance().map(|t| t.kind) {
            Some(TokenKind::Word(w)) if w == "default" => None,
            Some(TokenKind::Word(w)) => Some(SetValue::Text(w)),
            Some(TokenKind::QuotedIdent(w)) | Some(TokenKind::String(w)) => Some(SetValue::Text(w)),
            Some(TokenKind::Number(n)) => Some(SetValue::Number(n)),
            Some(TokenKind::Op(op)) if op == "-" || op == "+" => match self
                .advance()
                .map(|t| t.kind)
            {
                Some(TokenKind::Number(n)) if op == "-" => Some(SetValue::Number(format!("-{n}"))),
                Some(TokenKind::Number(n)) => Some(SetValue::Number(n)),
                _ => {
                    self.index -= 1;
                    return Err(self.error_here());
                }
            },
            Some(_) => {
                self.index -= 1;
                return Err(self.error_here());
            }
            None => return Err(self.error_here()),
        };
        Ok(value)
    }

    /// A value in `WITH (option = value)`.
    pub(super) fn set_value(&mut self) -> Result<SetValue> {
        let pos = self.index;
        match self.set_value_or_default()? {
            Some(value) => Ok(value),
            None => {
                self.index = pos;
                Err(self.error_here())
            }
        }
    }

    /// `REINDEX [(VERBOSE)] INDEX|TABLE [CONCURRENTLY] name`.
    pub(super) fn reindex(&mut self) -> Result<Statement> {
        self.advance();
        if self.eat(&TokenKind::LParen) {
            self.expect_word("verbose")?;
            self.expect(&TokenKind::RParen)?;
        }
        let table = if self.eat_word("table") {
            true
        } else {
            self.expect_word("index")?;
            false
        };
        self.eat_word("concurrently");
        let pos = Pos(self.pos());
        let name = self.qualified_name()?;
        Ok(Statement::Reindex { table, name, pos })
    }

    /// `VACUUM [FULL] [FREEZE] [VERBOSE] [ANALYZE] [table, …]`, `VACUUM (option, …)
    /// [table, …]` and `ANALYZE [VERBOSE] [table, …]`.
    pub(super) fn maintenance(&mut self) -> Result<Statement> {
        let vacuum = self.peek_word("vacuum");
        self.advance();
        let mut analyze = !vacuum;
        if self.eat(&TokenKind::LParen) {
            loop {
                let option = self.label()?;
                let enabled = match self.peek().cloned() {
                    Some(TokenKind::Word(w)) => {
                        self.advance();
                        !matches!(w.as_str(), "off" | "false")
                    }
                    Some(TokenKind::Number(n)) => {
                        self.advance();
                        n != "0"
                    }
                    _ => true,
                };
                if option == "analyze" {
                    analyze = enabled;
                }
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
            self.expect(&TokenKind::RParen)?;
        } else if vacuum {
            self.eat_word("full");
            self.eat_word("freeze");
            self.eat_word("verbose");
            analyze = self.eat_word("analyze") || self.eat_word("analyse");
            if analyze {
                self.eat_word("verbose");
            }
        } else {
            self.eat_word("verbose");
        }
        let (mut tables, mut columns) = (Vec::new(), Vec::new());
        if !self.at_end() && self.peek() != Some(&TokenKind::Semicolon) {
            loop {
                let pos = Pos(self.pos());
                tables.push((self.qualified_name()?, pos));
                let mut listed = Vec::new();
                if self.eat(&TokenKind::LParen) {
                    listed = self.identifiers_to_paren()?;
                    if !analyze {
                        return Err(EngineError::new(
                            "42601",
                            "ANALYZE option must be specified when a column list is provided",
                        ));
                    }
                }
                columns.push(listed);
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
        }
        Ok(Statement::Maintenance(crate::sql::ast::Maintenance {
            vacuum,
            analyze,
            tables,
            columns,
        }))
    }

    /// A parameter name: `work_mem`, `hnsw.ef_search`, or `ALL`.
    pub(super) fn parameter_name(&mut self) -> Result<String> {
        let mut name = self.label()?;
        while self.eat(&TokenKind::Dot) {
            name.push('.');
            name.push_str(&self.label()?);
        }
        Ok(name)
    }

    /// `EXPLAIN [ANALYZE] [VERBOSE] query` or `EXPLAIN (option [value], …) query`.
    pub(super) fn explain(&mut self) -> Result<Statement> {
        self.advance();
        let mut options = ExplainOptions::default();
        let (mut timing, mut summary) = (None, None);
        // `EXPLAIN (SELECT …) UNION …` explains a query; other parentheses hold options.
        if !self.peek_query_deep() && self.eat(&TokenKind::LParen) {
            loop {
                let at = self.pos();
                let option = self.label()?;
                let value = match self.peek().cloned() {
                    Some(TokenKind::Word(w)) => {
                        self.advance();
                        Some(w)
                    }
                    Some(TokenKind::Number(n)) => {
                        self.advance();
                        Some(n)
                    }
                    Some(TokenKind::String(s)) => {
                        self.advance();
                        Some(s)
                    }
                    _ => None,
                };
                match option.as_str() {
                    "format" => {
                        options.format = match value.as_deref() {
                            Some("text") => ExplainFormat::Text,
                            Some("json") => ExplainFormat::Json,
                            Some("yaml") => ExplainFormat::Yaml,
                            Some("xml") => ExplainFormat::Xml,
                            None => {
                                return Err(EngineError::new(
                                    "42601",
                                    "format requires a parameter",
                                ))
                            }
                            Some(other) => {
                                return Err(EngineError::new(
                                    "22023",
                                    format!(
                                    "unrecognized value for EXPLAIN option \"format\": \"{other}\""
                                ),
                                )
                                .at(at))
                            }
                        }
                    }
                    "analyze" | "verbose" | "costs" | "buffers" | "timing" | "summary"
                    | "settings" | "wal" => {
                        let enabled = explain_boolean(&option, value.as_deref())?;
                        match option.as_str() {
                            "analyze" => options.analyze = enabled,
                            "verbose" => options.verbose = enabled,
                            "costs" => options.costs = enabled,
                            "buffers" => options.buffers = enabled,
                            "timing" => timing = Some(enabled),
                            "summary" => summary = Some(enabled),
                            _ => {}
                        }
                    }
                    _ => {
                        return Err(EngineError::new(
                            "42601",
                            format!("unrecognized EXPLAIN option \"{option}\""),
                        )
                        .at(at))
                    }
                }
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
            self.expect(&TokenKind::RParen)?;
        } else {
            options.analyze = self.eat_word("analyze");
            options.verbose = self.eat_word("verbose");
        }
        // As PostgreSQL: timing and the summary follow ANALYZE unless set.
        options.timing = timing.unwrap_or(options.analyze);
        options.summary = summary.unwrap_or(options.analyze);
        if options.timing && !options.analyze {
            return Err(EngineError::new(
                "22023",
                "EXPLAIN option TIMING requires ANALYZE",
            ));
        }
        if self.eat_word("execute") {
            let (name, args, pos) = self.execute_call()?;
            return Ok(Statement::ExplainExecute {
                options,
                name,
                args,
                pos,
            });
        }
        if !self.peek_query_deep() {
            return Err(self.error_here());
        }
        let query = Box::new(self.select()?);
        Ok(Statement::Explain { options, query })
    }
}

/// An `EXPLAIN` option's Boolean value (none means true), by PostgreSQL's spellings.
fn explain_boolean(option: &str, value: Option<&str>) -> Result<bool> {
    match value.map(str::to_ascii_lowercase).as_deref() {
        None | Some("true" | "on" | "yes" | "1" | "t" | "y") => Ok(true),
        Some("false" | "off" | "no" | "0" | "f" | "n") => Ok(false),
        Some(_) => Err(EngineError::new(
            "22023",
            format!("{option} requires a Boolean value"),
        )),
    }
}
