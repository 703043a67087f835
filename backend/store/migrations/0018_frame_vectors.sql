-- Placeholder for G1's 0018_frame_vectors.sql (frame vectors in
-- sqlite-vec), so this branch's 0019 applies in order: at merge, G1's
-- file replaces this one.
SELECT 1;
