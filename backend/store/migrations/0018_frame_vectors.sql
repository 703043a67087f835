-- Video moments' vectors in sqlite-vec beside the entry vectors (issue 21):
-- each model gets a vec0 table of its frames' vectors, vec_frames_<id>
-- (rowid = frames.id), and two triggers on frames that keep it in step
-- with the plain column, so every path that adds or removes frames,
-- foreign-key cascades from entries and models included, moves the index
-- with them (vec0 follows no foreign key by itself). Their names and
-- dimensions are only known at run time: the store's Go step for this
-- version (migrate_steps.go) creates them for the models a library already
-- has and fills them from frames; EnsureModel creates them for a new one.
SELECT 1;
