-- 003-pull.sql: where `trailsift pull` is in each stream of the CloudTrail
-- LookupEvents API.
--
-- A stream is one account, region and lookup attribute (a pass): its
-- events come newest first, one page at a time, from a time window. Each
-- page's events and this row are written in the same transaction, so after
-- a kill at any moment the row describes exactly what the store holds, and
-- the next run goes on from the page after the last one stored: nothing
-- lost, nothing fetched into the store twice. The rows hold no secret (a
-- NextToken is an opaque position, not a credential).

CREATE TABLE IF NOT EXISTS pull_checkpoints (
  account_id    TEXT NOT NULL,     -- the AWS account the events belong to (12 digits)
  region        TEXT NOT NULL,     -- e.g. us-east-1
  attribute     TEXT NOT NULL,     -- the pass: 'EventSource=ec2.amazonaws.com'; '' = all management events
  newest_ms     INTEGER,           -- newest EventTime stored from this stream (epoch ms); an incremental pull starts here, less the overlap
  done_end_ms   INTEGER,           -- EndTime of the last window pulled to its end (epoch ms)
  -- the window in progress, NULL when none: StartTime and EndTime as sent (epoch ms, whole seconds)
  win_start_ms  INTEGER,
  win_end_ms    INTEGER,
  win_oldest_ms INTEGER,           -- oldest EventTime stored from it so far; if the NextToken is refused, the window goes on from here
  next_token    TEXT,              -- NextToken for the window's next page; NULL = its first page
  pages         INTEGER NOT NULL DEFAULT 0, -- pages stored from this stream, all runs
  events        INTEGER NOT NULL DEFAULT 0, -- events received from it, all runs (duplicates included)
  updated_at    TEXT NOT NULL,     -- ISO-8601 UTC of the last page stored
  PRIMARY KEY (account_id, region, attribute)
) WITHOUT ROWID;
