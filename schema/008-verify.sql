-- 008-verify.sql: what the trail's digest files prove about the store.
--
-- CloudTrail's digest files (CloudTrail-Digest/) list each hour's log files
-- with the SHA-256 of their uncompressed content; `trailsift verify` checks
-- the stored files against them and records here which files a digest
-- vouches for, so that stats and the report can say which events are proven.

-- the hash a digest names: of the content as CloudTrail wrote it, before gzip
-- (sources.sha256 is of the bytes as stored). NULL for rows read before 008.
ALTER TABLE sources ADD COLUMN content_sha256 TEXT;
-- when `verify` last found the file whole and as its digest lists it (ISO-8601 UTC);
-- NULL when never, or when the file changed since
ALTER TABLE sources ADD COLUMN verified_at TEXT;
-- the S3 key of the digest file that vouches for it
ALTER TABLE sources ADD COLUMN verified_by TEXT;

-- CloudTrail's public keys (ListPublicKeys), fetched once per region and time
-- range: they are public, and a digest names the one that signed it.
-- Keys are per region (AWS: a digest's key comes from its own region's CloudTrail).
CREATE TABLE digest_public_keys (
  region      TEXT NOT NULL,          -- the region whose CloudTrail answered
  fingerprint TEXT NOT NULL,          -- hex, as digestPublicKeyFingerprint names it
  der         BLOB NOT NULL,          -- the key: DER PKCS#1 RSAPublicKey
  valid_from  INTEGER,                -- ValidityStartTime, epoch seconds
  valid_until INTEGER,                -- ValidityEndTime, epoch seconds
  fetched_at  TEXT NOT NULL,          -- ISO-8601 UTC
  PRIMARY KEY (region, fingerprint)
);
