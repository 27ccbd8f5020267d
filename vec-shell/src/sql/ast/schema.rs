//! Schema statements: `CREATE SCHEMA` and `DROP SCHEMA`.

/// The one role vecsh has, PostgreSQL's default superuser, which owns every object.
pub const ROLE: &str = "postgres";

/// A statement that makes or removes schemas.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SchemaCommand {
    /// `CREATE SCHEMA [IF NOT EXISTS] name [AUTHORIZATION role]` (or `CREATE SCHEMA
    /// AUTHORIZATION role`, naming the schema after the role).
    Create {
        /// The schema's name.
        name: String,
        /// `IF NOT EXISTS` was given.
        if_not_exists: bool,
    },
    /// `DROP SCHEMA [IF EXISTS] name, … [CASCADE | RESTRICT]`
    Drop {
        /// The schemas' names.
        names: Vec<String>,
        /// `IF EXISTS` was given.
        if_exists: bool,
        /// `CASCADE`: drop the schemas' tables too.
        cascade: bool,
    },
}

impl std::fmt::Display for SchemaCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SchemaCommand::Create {
                name,
                if_not_exists,
            } => crate::sql::display::create_clause(f, "SCHEMA", *if_not_exists, name),
            SchemaCommand::Drop {
                names,
                if_exists,
                cascade,
            } => {
                crate::sql::display::drop_clause(f, "SCHEMA", *if_exists, names)?;
                if *cascade {
                    f.write_str(" CASCADE")?;
                }
                Ok(())
            }
        }
    }
}
