-- The universal search reads words, not trigrams, first (docs/search.md). Trigrams of a name ("ana", "eld") sit in
-- tens of thousands of documents, and the index intersected them all for every search; a word or its prefix is in a
-- few. Full-text (the 'simple' configuration: lower case, no stemming) answers exact and prefix matches of words;
-- each business's dictionary of words answers infix and typo matches by trigram, over a few thousand words instead
-- of every document.
-- A small pending list: entries written since the last clean-up are read one by one by every search, and at the
-- default 4 MB a burst of writes (an import) made a 1 ms search take 16 ms until autovacuum came by.
CREATE INDEX search_documents_words ON search_documents USING gin (to_tsvector('simple', search_text)) WITH (gin_pending_list_limit = 256);
DROP INDEX search_documents_text_trigram;

CREATE TABLE search_words (
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    word       text NOT NULL,
    PRIMARY KEY (tenant_id, word)
);
CREATE INDEX search_words_trigram ON search_words USING gin (word gin_trgm_ops) WITH (gin_pending_list_limit = 256);
CALL enable_tenant_isolation('search_words');
-- Only search_words_refresh (run as the owner, one at a time) writes the dictionary, so concurrent writers of
-- documents never wait on each other's words; search_records reads it as the owner (see migration 0180 for why).
CREATE POLICY search_words_owner ON search_words TO CURRENT_USER USING (true) WITH CHECK (true);

-- Documents written since the dictionary last took their words: search_records checks them directly, so a word is
-- found with a typo the moment its record is committed, and the refresh empties the queue.
CREATE TABLE search_words_pending (
    tenant_id  uuid NOT NULL,
    kind       text NOT NULL,
    record_id  uuid NOT NULL
);
CREATE INDEX search_words_pending_tenant ON search_words_pending (tenant_id);
CALL enable_tenant_isolation('search_words_pending');
CREATE POLICY search_words_pending_owner ON search_words_pending TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT INSERT ON search_words_pending TO $AppRole$;

INSERT INTO search_words (tenant_id, word)
SELECT DISTINCT d.tenant_id, w.word
FROM search_documents AS d
CROSS JOIN LATERAL unnest(tsvector_to_array(to_tsvector('simple', d.search_text))) AS w (word)
ON CONFLICT DO NOTHING;
