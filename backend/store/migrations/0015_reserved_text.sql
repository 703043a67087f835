-- Reserved for the text index (issue 21, part T), so that 0016 applies on
-- this branch; part T's 0015 replaces this file when the two merge.
SELECT 1;
