// Package ocr reads the text in pictures with PaddleOCR's PP-OCR models
// (detector, angle classifier, recogniser and the recogniser's dictionary)
// through backend/ort: the DB detector's probability map is thresholded,
// split into connected regions, each region's minimum-area rotated box is
// scored and grown ("unclipped"), the box is warped upright, turned when
// the classifier says it is upside down, and read by the recogniser with
// greedy CTC decoding.
//
// What each stage does follows PaddleOCR's inference code
// (ppocr/postprocess/db_postprocess.py, tools/infer/predict_det.py,
// predict_cls.py, predict_rec.py, ppocr/postprocess/rec_postprocess.py);
// the code here is written from those descriptions, not translated.
// Model inputs and outputs are read from the model files, and the
// dictionary is the one found beside the recogniser whose size matches the
// recogniser's classes.
//
// It is not the analyzer that stores words (that runs in the analysis
// pipeline) and not a search index.
package ocr
