//! Server-side `COPY … FROM|TO 'file'` in serve mode: refused unless the server was
//! started with `--allow-server-files DIR`, and then only for files inside `DIR` (a
//! relative name is taken inside it) and never inside the database's directory, so a
//! client cannot read or write the server's files, as PostgreSQL keeps them to
//! superusers and the `pg_read_server_files` / `pg_write_server_files` roles.

use std::path::{Component, Path, PathBuf};

use super::ServerOptions;
use crate::error::{EngineError, Result};
use crate::sql::ast::Statement;

/// Checks (and makes absolute) the file of a server-side `COPY`; other statements pass.
pub(super) fn check(options: &ServerOptions, statement: &mut Statement) -> Result<()> {
    let Statement::Copy(copy) = statement else {
        return Ok(());
    };
    let Some(file) = &copy.file else {
        return Ok(());
    };
    let refused = || {
        let (role, direction) = if copy.from {
            ("pg_read_server_files", "COPY from a file")
        } else {
            ("pg_write_server_files", "COPY to a file")
        };
        EngineError::new(
            "42501",
            format!("must be superuser or have privileges of the {role} role to {direction}"),
        )
        .with_hint(
            "Anyone can COPY to stdout or from stdin. psql's \\copy command also works for anyone.",
        )
    };
    let Some(allowed) = &options.allow_server_files else {
        return Err(refused());
    };
    let allowed = allowed.canonicalize().map_err(|_| refused())?;
    let path = normalize(&allowed.join(file));
    if !path.starts_with(&allowed) {
        return Err(refused());
    }
    // Resolve links as far as the path exists, so that a link cannot lead out of DIR.
    let existing = path
        .ancestors()
        .find_map(|ancestor| ancestor.canonicalize().ok())
        .unwrap_or_else(|| allowed.clone());
    if !existing.starts_with(&allowed) {
        return Err(refused());
    }
    if let Some(database) = options
        .database_dir
        .as_ref()
        .and_then(|d| d.canonicalize().ok())
    {
        if path.starts_with(&database) || existing.starts_with(&database) {
            return Err(refused());
        }
    }
    copy.file = Some(path.to_string_lossy().into_owned());
    Ok(())
}

/// `path` with `.` and `..` resolved lexically.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy_to(file: &str) -> Statement {
        crate::sql::parse(&format!("COPY t TO '{file}'"))
            .unwrap()
            .remove(0)
    }

    #[test]
    fn files_stay_inside_the_allowed_directory() {
        let dir = tempfile::tempdir().unwrap();
        let mut options = ServerOptions::default();
        let mut statement = copy_to("out.csv");
        let error = check(&options, &mut statement).unwrap_err();
        assert_eq!(error.sqlstate, "42501");
        options.allow_server_files = Some(dir.path().to_path_buf());
        check(&options, &mut statement).unwrap();
        let Statement::Copy(copy) = &statement else {
            unreachable!()
        };
        assert!(copy.file.as_deref().unwrap().ends_with("out.csv"));
        assert!(check(&options, &mut copy_to("../escape.csv")).is_err());
        assert!(check(&options, &mut copy_to("/etc/passwd")).is_err());
        options.database_dir = Some(dir.path().join("db"));
        std::fs::create_dir(dir.path().join("db")).unwrap();
        assert!(check(&options, &mut copy_to("db/MANIFEST")).is_err());
    }
}
