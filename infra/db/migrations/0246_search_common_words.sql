-- Common words (docs/search.md): a word in thousands of a business's open documents is read among the newest open
-- documents only (its word index entries intersected with search_documents_recent) until 200 match, instead of
-- reading and ranking every match; the dictionary's counts of open documents per word (search_words.open_documents,
-- kept by search_words_refresh, read by word prefix through search_words_prefix) tell search_records which words are
-- common. Exact titles are looked up directly (search_documents_title): an exact match ranks first however old it is.
ALTER TABLE search_words ADD COLUMN open_documents integer NOT NULL DEFAULT 0;
CREATE INDEX search_words_prefix ON search_words (tenant_id, word text_pattern_ops);
CREATE INDEX search_documents_recent ON search_documents (tenant_id, is_open, updated_at);
CREATE INDEX search_documents_title ON search_documents (tenant_id, lower(title));

-- The counts of the words already in the dictionaries.
UPDATE search_words AS w
SET open_documents = c.open_documents
FROM (SELECT d.tenant_id, x.word, count(*) AS open_documents
      FROM search_documents AS d
      CROSS JOIN LATERAL unnest(tsvector_to_array(to_tsvector('simple', d.search_text))) AS x (word)
      WHERE d.is_open
      GROUP BY d.tenant_id, x.word) AS c
WHERE c.tenant_id = w.tenant_id AND c.word = w.word;
