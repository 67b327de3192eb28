-- 007-s3-sources.sql: objects read from S3 (`ingest s3://BUCKET/...`).
--
-- An object's sources row is keyed by its path "s3://bucket/key". Its ETag
-- says whether the object changed since it was read (S3 gives no mtime that
-- a copy keeps): an object with a known ETag is not fetched again, one with
-- a new ETag is. NULL for files and API pulls.
ALTER TABLE sources ADD COLUMN etag TEXT;
