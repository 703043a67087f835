-- Faces in videos (issue 21): a video's faces are found on its keyframes,
-- and each keeps the time of the frame it was found on, so the People
-- view can play the video from there. NULL: a still picture's face.
ALTER TABLE faces ADD COLUMN at_ms INTEGER;
