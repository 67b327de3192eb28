// Competitor: CloudTrail export -> DuckDB table, via @duckdb/node-api.
//
// Usage: node duckdb_ingest.mjs EXPORT_DIR DB_PATH
//
// Loads every EXPORT_DIR/**/*.json.gz ({"Records":[...]}) into the table
// `events` of the on-disk database DB_PATH with the same columns as
// bench/py_ingest.py, including the record's compact JSON text (raw), using
// 2 threads, and prints "duckdb: N events".
//
// The formulation is the fastest correct one found on the bench machine
// (see bench/README.md): read_json with the Records array typed JSON[] (so
// each record stays JSON text), unnest, parse each record once with
// json_transform into a struct of just the wanted fields, CREATE TABLE AS
// with preserve_insertion_order=false. CloudTrail writes each file as one
// line, so format='newline_delimited' is exact and faster than 'auto'.
//
// Env:
//   DUCKDB_MODE    fast (default): CREATE TABLE AS, no de-duplication
//                  pk: PRIMARY KEY (event_id) + INSERT OR IGNORE (as the
//                      Python and SQLite stores do)
//                  distinct: CREATE TABLE AS ... DISTINCT ON (event_id)
//   DUCKDB_FORMAT  read_json format (default newline_delimited; auto works too)
//   DUCKDB_THREADS default 2
// Bench tooling only.

import { DuckDBInstance, version as duckdbVersion } from '@duckdb/node-api';

const [dir, dbPath] = process.argv.slice(2);
if (!dir || !dbPath) {
  console.error('usage: node duckdb_ingest.mjs EXPORT_DIR DB_PATH');
  process.exit(2);
}
const mode = process.env.DUCKDB_MODE || 'fast';
const format = process.env.DUCKDB_FORMAT || 'newline_delimited';
const threads = process.env.DUCKDB_THREADS || '2';
if (!['fast', 'pk', 'distinct'].includes(mode)) {
  console.error(`unknown DUCKDB_MODE ${mode}`);
  process.exit(2);
}

const lit = (s) => `'${String(s).replace(/'/g, "''")}'`;
const glob = `${dir.replace(/\/+$/, '')}/**/*.json.gz`;

// The fields we need, parsed once per record.
const structure = JSON.stringify({
  eventID: 'VARCHAR', eventTime: 'VARCHAR', eventSource: 'VARCHAR', eventName: 'VARCHAR',
  awsRegion: 'VARCHAR', sourceIPAddress: 'VARCHAR', userAgent: 'VARCHAR',
  userIdentity: {
    type: 'VARCHAR', arn: 'VARCHAR', principalId: 'VARCHAR', accountId: 'VARCHAR',
    accessKeyId: 'VARCHAR', userName: 'VARCHAR', invokedBy: 'VARCHAR',
    sessionContext: { sessionIssuer: { arn: 'VARCHAR' } },
  },
  errorCode: 'VARCHAR', errorMessage: 'VARCHAR', readOnly: 'BOOLEAN', eventType: 'VARCHAR',
  managementEvent: 'BOOLEAN', recipientAccountId: 'VARCHAR', requestID: 'VARCHAR',
  sharedEventID: 'VARCHAR', vpcEndpointId: 'VARCHAR', eventCategory: 'VARCHAR',
  tlsDetails: { tlsVersion: 'VARCHAR' },
});

const select = `
SELECT
  s.eventID AS event_id,
  s.eventTime AS event_time,
  epoch_ms(CAST(s.eventTime AS TIMESTAMP)) AS event_time_ms,
  s.eventSource AS event_source,
  s.eventName AS event_name,
  s.awsRegion AS aws_region,
  s.sourceIPAddress AS source_ip,
  s.userAgent AS user_agent,
  s.userIdentity.type AS identity_type,
  s.userIdentity.arn AS principal_arn,
  s.userIdentity.principalId AS principal_id,
  coalesce(s.userIdentity.accountId, s.recipientAccountId) AS account_id,
  s.userIdentity.accessKeyId AS access_key_id,
  s.userIdentity.userName AS user_name,
  s.userIdentity.sessionContext.sessionIssuer.arn AS session_issuer_arn,
  s.userIdentity.invokedBy AS invoked_by,
  s.errorCode AS error_code,
  s.errorMessage AS error_message,
  CAST(s.readOnly AS INTEGER) AS read_only,
  s.eventType AS event_type,
  CAST(s.managementEvent AS INTEGER) AS management_event,
  s.recipientAccountId AS recipient_account_id,
  s.requestID AS request_id,
  s.sharedEventID AS shared_event_id,
  s.vpcEndpointId AS vpc_endpoint_id,
  s.eventCategory AS event_category,
  s.tlsDetails.tlsVersion AS tls_version,
  origin,
  CAST(j AS VARCHAR) AS raw
FROM (
  SELECT j, json_transform(j, ${lit(structure)}) AS s, origin
  FROM (
    SELECT unnest(Records) AS j, filename AS origin
    FROM read_json(${lit(glob)}, columns = {Records: 'JSON[]'}, format = ${lit(format)},
                   records = 'true', filename = true)
  )
)`;

const ddl = `
CREATE TABLE events (
  event_id VARCHAR PRIMARY KEY, event_time VARCHAR, event_time_ms BIGINT, event_source VARCHAR,
  event_name VARCHAR, aws_region VARCHAR, source_ip VARCHAR, user_agent VARCHAR,
  identity_type VARCHAR, principal_arn VARCHAR, principal_id VARCHAR, account_id VARCHAR,
  access_key_id VARCHAR, user_name VARCHAR, session_issuer_arn VARCHAR, invoked_by VARCHAR,
  error_code VARCHAR, error_message VARCHAR, read_only INTEGER, event_type VARCHAR,
  management_event INTEGER, recipient_account_id VARCHAR, request_id VARCHAR,
  shared_event_id VARCHAR, vpc_endpoint_id VARCHAR, event_category VARCHAR,
  tls_version VARCHAR, origin VARCHAR, raw VARCHAR
)`;

const t0 = Date.now();
const instance = await DuckDBInstance.create(dbPath, {
  threads,
  preserve_insertion_order: 'false',
});
const con = await instance.connect();
if (mode === 'pk') {
  await con.run(ddl);
  await con.run(`INSERT OR IGNORE INTO events ${select}`);
} else if (mode === 'distinct') {
  await con.run(`CREATE TABLE events AS SELECT DISTINCT ON (event_id) * FROM (${select})`);
} else {
  await con.run(`CREATE TABLE events AS ${select}`);
}
const n = (await con.runAndReadAll('SELECT count(*) FROM events')).getRows()[0][0];
await con.run('CHECKPOINT');
con.closeSync();
instance.closeSync();
console.log(`duckdb: ${n} events (DuckDB ${duckdbVersion()}, mode=${mode}, format=${format}, threads=${threads}, ${((Date.now() - t0) / 1000).toFixed(2)} s)`);
