package dev.syscage.supervise.audit;

/** What the audit log's writer thread takes from its queue: a call's record, or the run's closing record. */
sealed interface AuditEntry permits AuditRecord, RunEnd {}
