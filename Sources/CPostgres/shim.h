#ifndef AMFORA_CPOSTGRES_SHIM_H
#define AMFORA_CPOSTGRES_SHIM_H
/* libpq, PostgreSQL's own client library: the wire protocol, TLS (sslmode), ~/.pgpass and
   PGPASSFILE are its work, not ours. */
#include <libpq-fe.h>
#endif
