//! Transaction control statements: `BEGIN` and its modes, `COMMIT`, `ROLLBACK`,
//! savepoints, `SET TRANSACTION`.

/// A transaction-control statement, by what it does (synonyms share a variant).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransactionCommand {
    /// `BEGIN [WORK | TRANSACTION] [modes]`
    Begin(TransactionModes),
    /// `START TRANSACTION [modes]` (the same as `BEGIN`, with its own command tag)
    StartTransaction(TransactionModes),
    /// `COMMIT [WORK | TRANSACTION]` or `END [WORK | TRANSACTION]`
    Commit,
    /// `ROLLBACK [WORK | TRANSACTION]` or `ABORT [WORK | TRANSACTION]`
    Rollback,
    /// `SAVEPOINT name`
    Savepoint(String),
    /// `ROLLBACK [WORK | TRANSACTION] TO [SAVEPOINT] name`
    RollbackTo(String),
    /// `RELEASE [SAVEPOINT] name`
    Release(String),
    /// `SET TRANSACTION modes`
    SetTransaction(TransactionModes),
    /// `SET SESSION CHARACTERISTICS AS TRANSACTION modes`
    SetSessionCharacteristics(TransactionModes),
}

/// The modes of a transaction as `BEGIN` or `SET TRANSACTION` give them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TransactionModes {
    /// `ISOLATION LEVEL …`
    pub isolation: Option<IsolationLevel>,
    /// `READ ONLY` (`Some(true)`) or `READ WRITE` (`Some(false)`).
    pub read_only: Option<bool>,
}

/// A transaction isolation level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IsolationLevel {
    /// `READ UNCOMMITTED` (PostgreSQL runs it as `READ COMMITTED`)
    ReadUncommitted,
    /// `READ COMMITTED`
    ReadCommitted,
    /// `REPEATABLE READ`
    RepeatableRead,
    /// `SERIALIZABLE`
    Serializable,
}

impl IsolationLevel {
    /// The level's name as `SHOW transaction_isolation` prints it.
    pub fn name(self) -> &'static str {
        match self {
            IsolationLevel::ReadUncommitted => "read uncommitted",
            IsolationLevel::ReadCommitted => "read committed",
            IsolationLevel::RepeatableRead => "repeatable read",
            IsolationLevel::Serializable => "serializable",
        }
    }

    /// The level of a name as `SHOW` prints it.
    pub fn from_name(name: &str) -> Option<IsolationLevel> {
        [
            IsolationLevel::ReadUncommitted,
            IsolationLevel::ReadCommitted,
            IsolationLevel::RepeatableRead,
            IsolationLevel::Serializable,
        ]
        .into_iter()
        .find(|level| level.name() == name)
    }
}

impl std::fmt::Display for TransactionModes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        if let Some(level) = self.isolation {
            parts.push(format!("ISOLATION LEVEL {}", level.name().to_uppercase()));
        }
        match self.read_only {
            Some(true) => parts.push("READ ONLY".to_string()),
            Some(false) => parts.push("READ WRITE".to_string()),
            None => {}
        }
        f.write_str(&parts.join(", "))
    }
}
