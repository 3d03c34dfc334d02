#ifndef AMFORA_CSQLITE_SHIM_H
#define AMFORA_CSQLITE_SHIM_H
#include <sqlite3.h>

/* SQLITE_TRANSIENT is a cast macro Swift cannot import. */
static inline sqlite3_destructor_type amfora_sqlite_transient(void) { return SQLITE_TRANSIENT; }
static inline sqlite3_destructor_type amfora_sqlite_static(void) { return SQLITE_STATIC; }

/* sqlite3_db_config is variadic; one wrapper per argument kind we use. */
static inline int amfora_sqlite_db_config_int(sqlite3 *db, int op, int value, int *out) {
    return sqlite3_db_config(db, op, value, out);
}
#endif
