-- Issue #15: a business's data key is rotated every N days (NULL: only when a developer asks). Part of the business's
-- privacy policy beside its retention periods; the timer RotateDueDataKeys starts a KeyRotation for each business due.
ALTER TABLE privacy_retention_policies
    ADD COLUMN data_key_rotation_days integer CHECK (data_key_rotation_days BETWEEN 1 AND 3650);
