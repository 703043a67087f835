// Reads each picture named on the command line with the reference OCR
// (@gutenye/ocr-node) on the PP-OCRv4 weights in $TAGSIGHT_OCR_MODELS and
// prints one JSON line per picture: {path, text, ms} (ms: CPU time of the
// detect call, user + system). Benchmark only (docs/bench/ocr.md).
import Ocr from '@gutenye/ocr-node'
import path from 'node:path'

const dir = process.env.TAGSIGHT_OCR_MODELS
if (!dir) throw new Error('set TAGSIGHT_OCR_MODELS')
const ocr = await Ocr.create({
  models: {
    detectionPath: path.join(dir, 'ch_PP-OCRv4_det_infer.onnx'),
    recognitionPath: path.join(dir, 'ch_PP-OCRv4_rec_infer.onnx'),
    dictionaryPath: path.join(dir, 'ppocr_keys_v1.txt'),
  },
})
for (const p of process.argv.slice(2)) {
  const c0 = process.cpuUsage()
  const lines = await ocr.detect(p)
  const c = process.cpuUsage(c0)
  const text = lines.map((l) => l.text).join(' ')
  console.log(JSON.stringify({ path: p, text, ms: (c.user + c.system) / 1000 }))
}
