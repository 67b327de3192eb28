-- 001-events.sql: the event store.
--
-- One row per CloudTrail eventID, whatever brought it in (an S3 export file,
-- a LookupEvents page). Users query the view `events`; underneath, the
-- extracted columns (event_fields) and the record itself (event_raw) are two
-- tables joined by seq. Rules, indexes and index builds then read the narrow
-- table only. The view fetches `raw` and `origin` with scalar subqueries,
-- which SQLite evaluates only for a query that names them (a LEFT JOIN would
-- be walked for every row even when unused).

CREATE TABLE event_fields (
  seq                  INTEGER PRIMARY KEY, -- insertion order; rules resume from the last seq they read
  event_id             TEXT NOT NULL,       -- eventID (a UUID); unique across the store
  event_time           TEXT NOT NULL,       -- eventTime as CloudTrail wrote it, e.g. 2026-11-03T06:20:00Z
  event_time_ms        INTEGER NOT NULL,    -- eventTime as Unix epoch milliseconds (UTC)
  event_source         TEXT,                -- eventSource, e.g. ec2.amazonaws.com
  event_name           TEXT,                -- eventName, e.g. CreateSnapshot
  aws_region           TEXT,                -- awsRegion
  source_ip            TEXT,                -- sourceIPAddress (an IP, or a service name such as mgn.amazonaws.com)
  user_agent           TEXT,                -- userAgent
  identity_type        TEXT,                -- userIdentity.type: IAMUser, AssumedRole, AWSService, Root, ...
  principal_arn        TEXT,                -- userIdentity.arn
  principal_id         TEXT,                -- userIdentity.principalId
  account_id           TEXT,                -- userIdentity.accountId, else recipientAccountId
  access_key_id        TEXT,                -- userIdentity.accessKeyId
  user_name            TEXT,                -- userIdentity.userName, else the role name (sessionIssuer.userName)
  session_issuer_arn   TEXT,                -- userIdentity.sessionContext.sessionIssuer.arn (the role)
  invoked_by           TEXT,                -- userIdentity.invokedBy, e.g. mgn.amazonaws.com
  error_code           TEXT,                -- errorCode as written; EC2 adds Client./Server. prefixes
  error_message        TEXT,                -- errorMessage
  read_only            INTEGER,             -- readOnly as 0/1 (NULL when absent)
  event_type           TEXT,                -- eventType: AwsApiCall, AwsServiceEvent, AwsConsoleSignIn, ...
  management_event     INTEGER,             -- managementEvent as 0/1
  recipient_account_id TEXT,                -- recipientAccountId: the account whose log this is
  request_id           TEXT,                -- requestID
  shared_event_id      TEXT,                -- sharedEventID (cross-account copies share it)
  vpc_endpoint_id      TEXT,                -- vpcEndpointId
  event_category       TEXT,                -- eventCategory: Management, Data, Insight, ...
  tls_version          TEXT,                -- tlsDetails.tlsVersion
  source_id            INTEGER NOT NULL,    -- sources.source_id: the file or API pull the row came from
  -- errorCode without EC2's Client./Server. prefix, so one code has one spelling
  error_base           TEXT GENERATED ALWAYS AS (
    CASE WHEN error_code GLOB 'Client.*' OR error_code GLOB 'Server.*'
         THEN substr(error_code, 8) ELSE error_code END) VIRTUAL,
  -- the error taxonomy shared by rules and queries; see docs/error-classes.md
  error_class          TEXT GENERATED ALWAYS AS (
    CASE
      WHEN error_code IS NULL THEN NULL
      WHEN error_base IN ('DryRunOperation') THEN 'dry_run'
      WHEN error_base IN ('UnauthorizedOperation', 'AccessDenied', 'AccessDeniedException',
                          'AuthFailure', 'UnauthorizedException', 'Unauthorized',
                          'UnauthorizedAccess', 'NotAuthorized', 'NotAuthorizedException',
                          'Forbidden', 'ForbiddenException', 'OptInRequired', 'Blocked',
                          'SignatureDoesNotMatch', 'InvalidClientTokenId',
                          'UnrecognizedClientException', 'IncompleteSignature',
                          'InvalidSignatureException', 'MissingAuthenticationToken',
                          'ExpiredToken', 'ExpiredTokenException', 'RequestExpired',
                          'AccessDeniedForDependencyException', 'KMS.AccessDeniedException',
                          'PendingVerification', 'InvalidAccessKeyId', 'AccountProblem')
           OR error_base GLOB '*AccessDenied*' OR error_base GLOB '*UnauthorizedOperation*'
        THEN 'denied'
      WHEN error_base IN ('RequestLimitExceeded', 'Throttling', 'ThrottlingException',
                          'ThrottledException', 'Throttled', 'TooManyRequestsException',
                          'TooManyRequests', 'SlowDown', 'RequestThrottled',
                          'RequestThrottledException', 'ProvisionedThroughputExceededException',
                          'BandwidthLimitExceeded', 'EC2ThrottledException',
                          'PriorRequestNotComplete', 'RequestLimitExceededException',
                          'LimitExceededException.Throttling')
           OR error_base GLOB '*Throttl*'
        THEN 'throttled'
      WHEN error_base GLOB 'Insufficient*Capacity*'
           OR error_base IN ('InsufficientFreeAddressesInSubnet', 'InsufficientCapacity',
                             'Unsupported.InsufficientCapacity', 'CapacityNotAvailable',
                             'ReservationCapacityExceeded', 'InsufficientDBInstanceCapacity')
        THEN 'capacity'
      WHEN error_base GLOB '*LimitExceeded*' OR error_base GLOB '*QuotaExceeded*'
           OR error_base GLOB '*Quota*Exceeded*'
           OR error_base IN ('MaxSpotInstanceCountExceeded', 'MaxSpotFleetRequestCountExceeded',
                             'MaxIOPSLimitExceeded', 'AddressLimitExceeded',
                             'LimitExceeded', 'TooManyBuckets', 'MaxConfigRulesExceededException')
        THEN 'quota'
      WHEN error_base GLOB '*NotFound*' OR error_base GLOB 'NoSuch*'
           OR error_base IN ('ResourceNotFoundException', 'NotFound', 'InvalidInstanceID')
        THEN 'not_found'
      WHEN error_base GLOB 'Invalid*' OR error_base GLOB '*Malformed*'
           OR error_base GLOB 'Missing*'
           OR error_base IN ('ValidationException', 'ValidationError', 'UnknownParameter',
                             'InvalidInput', 'BadRequestException', 'UnsupportedOperation',
                             'IncorrectState', 'IncorrectInstanceState', 'ConflictException',
                             'DependencyViolation', 'OperationNotPermitted',
                             'UninitializedAccountException', 'Unsupported')
        THEN 'invalid'
      ELSE 'other'
    END) VIRTUAL
);

-- raw: the whole record, byte for byte as received (JSON text), the only authority.
CREATE TABLE event_raw (
  seq INTEGER PRIMARY KEY,            -- event_fields.seq
  raw TEXT NOT NULL
);

-- sources: every input seen, for skip-if-unchanged and chain of custody.
CREATE TABLE sources (
  source_id   INTEGER PRIMARY KEY,
  path        TEXT NOT NULL UNIQUE,   -- absolute path (or <stdin>)
  size        INTEGER,                -- bytes as stored, at the time it was read
  mtime_ns    INTEGER,                -- modification time, ns since the epoch
  sha256      TEXT,                   -- hex SHA-256 of the stored bytes (NULL when not read)
  records     INTEGER,                -- records read from it
  inserted    INTEGER,                -- of which new to the store
  status      TEXT NOT NULL CHECK (status IN ('ok', 'skipped', 'failed')),
  error       TEXT,                   -- why it failed or was skipped
  run_id      INTEGER,                -- the ingest run that last read it
  seen_at     TEXT NOT NULL           -- when that was (ISO-8601 UTC)
);

-- ingest_runs: one row per ingest (or pull) command.
CREATE TABLE ingest_runs (
  run_id          INTEGER PRIMARY KEY,
  started_at      TEXT NOT NULL,        -- ISO-8601 UTC
  ended_at        TEXT,                 -- NULL while running, or if the run was killed
  command         TEXT NOT NULL,        -- the command line
  files_ok        INTEGER NOT NULL DEFAULT 0,
  files_unchanged INTEGER NOT NULL DEFAULT 0, -- skipped because path, size and mtime were known
  files_skipped   INTEGER NOT NULL DEFAULT 0, -- digest, insight and other non-log files
  files_failed    INTEGER NOT NULL DEFAULT 0,
  records         INTEGER NOT NULL DEFAULT 0, -- records read
  inserted        INTEGER NOT NULL DEFAULT 0  -- new events stored
);

-- The table users write SQL against.
CREATE VIEW events AS
SELECT f.seq, f.event_id, f.event_time, f.event_time_ms, f.event_source, f.event_name,
       f.aws_region, f.source_ip, f.user_agent, f.identity_type, f.principal_arn,
       f.principal_id, f.account_id, f.access_key_id, f.user_name, f.session_issuer_arn,
       f.invoked_by, f.error_code, f.error_message, f.error_base, f.error_class, f.read_only,
       f.event_type, f.management_event, f.recipient_account_id, f.request_id,
       f.shared_event_id, f.vpc_endpoint_id, f.event_category, f.tls_version,
       (SELECT s.path FROM sources AS s WHERE s.source_id = f.source_id) AS origin,
       (SELECT r.raw FROM event_raw AS r WHERE r.seq = f.seq) AS raw,
       f.source_id
FROM event_fields AS f;
