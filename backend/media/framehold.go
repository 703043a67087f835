package media

import "context"

// FramesHeld is Frames for a caller that keeps the frames once it
// returns (the analysis pipeline holds them until every analyzer of the
// item is done): the decode budget the frames it handed out take stays
// reserved until release is called, so memory the budget no longer counts
// is never held. The rest of what the pass reserved is given back when it
// ends. Call release once the frames are dropped, whatever err.
func (s *Source) FramesHeld(ctx context.Context, lim Limits, enough func(w, h int) bool, yield func(Frame) error) (release func(), err error) {
	s.keepFrames = true
	err = s.Frames(ctx, lim, enough, yield)
	kept := s.kept
	s.keepFrames, s.kept = false, nil
	return func() {
		for _, h := range kept {
			h.release()
		}
	}, err
}

// handFrames hands n bytes of h (the frames a Framer yielded) to the
// FramesHeld caller; under plain Frames they go back with the rest of h.
func (s *Source) handFrames(h *hold, n int64) {
	if s.keepFrames && n > 0 {
		s.kept = append(s.kept, h.split(n))
	}
}
