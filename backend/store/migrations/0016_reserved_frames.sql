-- Reserved for the video frames (issue 21, part V), so that 0017 applies on
-- this branch; part V's 0016 replaces this file when the two merge.
SELECT 1;
