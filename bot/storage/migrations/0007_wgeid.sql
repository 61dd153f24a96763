-- The international route: what the family decided about a submission to the UN Working
-- Group on Enforced or Involuntary Disappearances (WGEID), the organisation's English
-- translations of the family's free text, and when and under which reference the case was
-- submitted. One row per case; it goes with the case when the family deletes its data.
CREATE TABLE un_submissions (
    case_id      INTEGER PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
    may_name     INTEGER,            -- 1: the submission may name the family, 0: it may not
    on_behalf    INTEGER,            -- 1: the organisation submits for the family, 0: they do
    consent_at   TEXT,               -- UTC, when the family last answered
    translations TEXT,               -- sealed JSON {field: English text}
    submitted_on TEXT,               -- local date the submission was sent
    reference    TEXT,               -- sealed: the Working Group's reference, if given
    urgent       INTEGER,            -- 1: sent within the three-month urgent window
    submitted_by INTEGER,
    updated_at   TEXT    NOT NULL
);
CREATE INDEX un_submissions_sent ON un_submissions(submitted_on) WHERE submitted_on IS NOT NULL;
