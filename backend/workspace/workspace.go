// Package workspace is an open library with everything that works on it:
// tags, search, and the CLIP model that embeds its pictures. It is the one
// core that the CLI, the desktop app and `tagsight serve` share, so the
// three faces resolve models, index and search the same way. It holds no
// UI state.
package workspace

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tagsight/tagsight/backend/analysis"
	"github.com/tagsight/tagsight/backend/clip"
	"github.com/tagsight/tagsight/backend/faces"
	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/modelhub"
	"github.com/tagsight/tagsight/backend/ocr"
	"github.com/tagsight/tagsight/backend/ort"
	"github.com/tagsight/tagsight/backend/search"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/tags"
	"github.com/tagsight/tagsight/backend/vectors"
	"github.com/tagsight/tagsight/models"
)

// ErrNoModel: no model folder or installed model could be found.
var ErrNoModel = errors.New("no CLIP model")

// ModelOptions choose and tune the model.
type ModelOptions struct {
	Model     string // folder or installed model name; "" = library setting, else catalog default
	ORTLib    string // ONNX Runtime library; "" = ort.FindLibrary
	Provider  string // "" = $TAGSIGHT_PROVIDER, else auto
	Precision string // fp32, int8, auto
	Threads   int    // intra-op threads, 0 = tuned default
	Batch     int    // images per inference call for dynamic-batch models
	ModelsDir string // "" = modelhub.DefaultDir
	// FacesModel is the face models' folder or installed name; "" = the
	// library's setting, else the catalog's "faces".
	FacesModel string
}

// Catalog is the built-in model catalog.
func Catalog() modelhub.Catalog {
	c, err := modelhub.ParseCatalog(models.Catalog)
	if err != nil {
		panic(err) // embedded at build time; the modelhub tests parse it
	}
	return c
}

// Hub is the model hub over the user's model folder.
func Hub(dir string) (*modelhub.Hub, error) {
	if dir == "" {
		d, err := modelhub.DefaultDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	return &modelhub.Hub{Dir: dir, Catalog: Catalog()}, nil
}

// ResolveModelDir turns a model folder or an installed model's name (or,
// when name is "", the library's setting, else the catalog default) into a
// folder.
func ResolveModelDir(ctx context.Context, name string, lib *library.Library, modelsDir string) (string, error) {
	if name == "" && lib != nil {
		name, _ = lib.DB.Setting(ctx, "model", "")
	}
	def := Catalog().Default
	if name == "" {
		name = def
	}
	if st, err := os.Stat(name); err == nil && st.IsDir() {
		return filepath.Abs(name)
	}
	hub, err := Hub(modelsDir)
	if err != nil {
		return "", err
	}
	if dir, ok := hub.Lookup(name); ok {
		return dir, nil
	}
	return "", fmt.Errorf("%w: %q is neither a model folder nor an installed model; run `tagsight models pull %s` or pass --model DIR",
		ErrNoModel, name, def)
}

// Model is a loaded model.
type Model struct {
	Dir    string
	Spec   *clip.ModelSpec
	Engine *clip.Engine
}

// LoadModel reads a model folder and prepares its engine (sessions load on
// first use).
func LoadModel(dir string, o ModelOptions) (*Model, error) {
	spec, err := clip.LoadModelDir(dir)
	if err != nil {
		return nil, err
	}
	if _, err := ort.FindAndInit(o.ORTLib); err != nil {
		return nil, err
	}
	provider := o.Provider
	if provider == "" {
		provider = os.Getenv("TAGSIGHT_PROVIDER")
	}
	eng := clip.NewEngine(spec, clip.EngineOptions{Layout: clip.Layout{Threads: o.Threads, Batch: o.Batch}, Provider: provider, Precision: o.Precision})
	return &Model{Dir: dir, Spec: spec, Engine: eng}, nil
}

// Register makes sure the library knows the model and has its vector table.
func (m *Model) Register(ctx context.Context, db *store.DB) (store.Model, error) {
	key, err := vectors.ModelKey(m.Dir)
	if err != nil {
		return store.Model{}, err
	}
	return db.EnsureModel(ctx, key, filepath.Base(m.Dir), m.Spec.EmbedDim)
}

// EmbedText embeds one text.
func (m *Model) EmbedText(ctx context.Context, text string) ([]float32, error) {
	vs, err := m.Engine.EmbedTexts(ctx, []string{text})
	if err != nil {
		return nil, err
	}
	return vs[0], nil
}

// EmbedFile embeds a picture file as indexing a new picture with the
// default analyzers (metadata, thumbnail, CLIP) embeds it.
func (m *Model) EmbedFile(ctx context.Context, path string) ([]float32, error) {
	return m.EmbedFileAt(ctx, path, analysis.Need{Long: library.DefaultThumbSize})
}

// EmbedFileAt embeds a picture file decoded as the indexer decodes it when
// the other analyzers pending on it need need (vectors.FileInput): the
// same decoder, scaling and preprocessing, so the same vector.
func (m *Model) EmbedFileAt(ctx context.Context, path string, need analysis.Need) ([]float32, error) {
	in, err := vectors.FileInput(ctx, path, need, m.Spec.Preprocess.MinShort(), m.Spec.Preprocess, media.DefaultLimits())
	if err != nil {
		return nil, err
	}
	vs, err := m.Engine.EmbedImages(ctx, [][]float32{in})
	if err != nil {
		return nil, err
	}
	return vs[0], nil
}

// Encoders adapts the model for package search (outside a library).
func (m *Model) Encoders() search.Encoders {
	return search.Encoders{Text: m.EmbedText, File: m.EmbedFile}
}

// Workspace is an open library and its services.
type Workspace struct {
	Lib  *library.Library
	Tags *tags.Service
	opts ModelOptions
	// swap lets one model change (settings, a download) happen at a time.
	swap    sync.Mutex
	state   atomic.Pointer[State]
	retired []*Model // replaced models not closed yet (see RetireAfter)
	faces   optionalModel[faces.Engine, *faces.Engine]
	ocr     optionalModel[ocr.Engine, *ocr.Engine]

	// The in-memory search index has one writer, Sync, which follows the
	// change log: what this process writes reaches it the same way as
	// what another process writes, once.
	syncMu sync.Mutex
	seq    int64               // the change log's number Sync has reached
	heard  func(store.Changes) // Live's listener (nil: none)
}

// RetireAfter is how long a replaced model stays open: a search that took
// the old State just before a swap still finishes on it. Then its engine
// closes (waiting for calls still in flight).
var RetireAfter = 30 * time.Second

// State is the library's model and the search service over it. A model
// change replaces the whole State at once, so a caller that took one keeps
// a consistent model, store model and search service; searches and
// embeddings in flight finish on the old engine (Engine.Close waits for
// them) and later calls on it fail with ort.ErrClosed.
type State struct {
	Search *search.Service
	// Model is nil when none could be loaded; ModelErr says why.
	Model      *Model
	ModelErr   error
	StoreModel store.Model
}

// Now is the current model and search service.
func (ws *Workspace) Now() *State { return ws.state.Load() }

// Open opens (or, with create, makes) a library and loads its model when
// one can be found. A missing model is not an error (ModelErr says why:
// tags and filters work without one); a broken one is, when requireModel.
func Open(ctx context.Context, root string, create bool, o ModelOptions, requireModel bool) (*Workspace, error) {
	lib, err := library.Open(ctx, root, library.Options{Create: create})
	if err != nil {
		return nil, err
	}
	ws := &Workspace{Lib: lib, Tags: tags.New(lib.DB), opts: o}
	ws.faces.spec, ws.ocr.spec = &facesSpec, &ocrSpec
	// The search index loads lazily with every vector: what is logged
	// before now is in it.
	if ws.seq, err = lib.DB.ChangeSeq(ctx); err != nil {
		lib.Close()
		return nil, err
	}
	m, sm, err := ws.loadModel(ctx, o.Model)
	if err != nil && (requireModel || !errors.Is(err, ErrNoModel)) {
		lib.Close()
		return nil, err
	}
	ws.state.Store(ws.newState(m, sm, err))
	ws.faces.load(ctx, ws)
	ws.ocr.load(ctx, ws)
	return ws, nil
}

func (ws *Workspace) newState(m *Model, sm store.Model, err error) *State {
	enc := search.Encoders{}
	if m != nil {
		enc = ws.encoders(m)
	}
	return &State{Search: search.New(ws.Lib.DB, ws.Tags, ws.Lib, sm, enc), Model: m, StoreModel: sm, ModelErr: err}
}

// encoders are m's encoders in this library: a picture searched by file
// is decoded at the size a new picture of the library is decoded to for
// its analyzers (thumbnail, faces when on), so a picture of the library
// searched by file finds its own stored vector.
func (ws *Workspace) encoders(m *Model) search.Encoders {
	return search.Encoders{Text: m.EmbedText, File: func(ctx context.Context, path string) ([]float32, error) {
		return m.EmbedFileAt(ctx, path, ws.indexNeed(ctx))
	}}
}

// indexNeed is what the analyzers other than CLIP that a scan runs on a
// new picture need decoded.
func (ws *Workspace) indexNeed(ctx context.Context) analysis.Need {
	need := analysis.Need{Long: library.DefaultThumbSize}
	if f := ws.Faces(); f.Engine != nil {
		need = need.Join(faces.NewAnalyzer(f.Engine, f.Key, ws.FaceSettings(ctx), nil).Need())
	}
	return need
}

func (ws *Workspace) loadModel(ctx context.Context, name string) (*Model, store.Model, error) {
	dir, err := ResolveModelDir(ctx, name, ws.Lib, ws.opts.ModelsDir)
	if err != nil {
		return nil, store.Model{}, err
	}
	m, err := LoadModel(dir, ws.opts)
	if err != nil {
		return nil, store.Model{}, err
	}
	sm, err := m.Register(ctx, ws.Lib.DB)
	if err != nil {
		m.Engine.Close()
		return nil, store.Model{}, err
	}
	return m, sm, nil
}

// SetModel switches the library to another model (folder or installed
// name) and remembers it in the library.
func (ws *Workspace) SetModel(ctx context.Context, name string) error {
	ws.swap.Lock()
	defer ws.swap.Unlock()
	m, sm, err := ws.loadModel(ctx, name)
	if err != nil {
		return err // the library keeps its model
	}
	if err := ws.Lib.DB.SetSetting(ctx, "model", name); err != nil {
		m.Engine.Close()
		return err
	}
	ws.opts.Model = name
	old := ws.state.Swap(ws.newState(m, sm, nil))
	if om := old.Model; om != nil {
		ws.retired = append(ws.retired, om)
		time.AfterFunc(RetireAfter, func() { ws.retire(om) })
	}
	return nil
}

// retire closes a replaced model unless Close already did.
func (ws *Workspace) retire(m *Model) {
	ws.swap.Lock()
	defer ws.swap.Unlock()
	for i, r := range ws.retired {
		if r == m {
			ws.retired = append(ws.retired[:i], ws.retired[i+1:]...)
			m.Engine.Close() // waits for the calls in flight
			return
		}
	}
}

// RememberModel stores the model given on the command line as the
// library's model.
func (ws *Workspace) RememberModel(ctx context.Context) error {
	if ws.opts.Model == "" || ws.Now().Model == nil {
		return nil
	}
	return ws.Lib.DB.SetSetting(ctx, "model", ws.opts.Model)
}

// clipOptions are the CLIP analyzer's options for the loaded model: as
// many inference workers and pictures per call as its layout says, and its
// sessions load (LoadVision) while the first pictures decode.
func (st *State) clipOptions() vectors.Options {
	eng := st.Model.Engine
	return vectors.Options{
		MinShort:     st.Model.Spec.Preprocess.MinShort(),
		Batch:        eng.PreferredBatch(),
		InferWorkers: eng.Layout().Runs,
		Load:         func(context.Context) error { return eng.LoadVision() },
	}
}

// framesAnalyzer is the frames analyzer (video moments) for st's model,
// its tiles kept with the library's derived files.
func (ws *Workspace) framesAnalyzer(st *State) *vectors.FramesAnalyzer {
	files := ws.Lib.Derived()
	tiles := func(fp string, atMS int64, jpg []byte) (string, error) {
		return files.Put(library.FrameTiles, fp, int(atMS), jpg)
	}
	return vectors.NewFramesAnalyzer(st.StoreModel, st.Model.Engine, st.Model.Spec.Preprocess, st.clipOptions(), tiles)
}

// Index scans the library and runs every analyzer over what needs it in
// one pass, each picture decoded once: metadata, thumbnail and, when embed
// is set and a model is loaded, the CLIP vector and a video's moments (its
// keyframes' vectors; emb is then the CLIP analyzer's result,
// else nil). The model's sessions are created while the first pictures
// decode.
func (ws *Workspace) Index(ctx context.Context, opts library.ScanOptions, embed bool) (res library.ScanResult, emb *vectors.Result, err error) {
	st := ws.Now() // one model for the whole call
	var clipA *vectors.Analyzer
	if embed && st.Model != nil {
		clipA = vectors.NewAnalyzer(st.StoreModel, st.Model.Engine, st.Model.Spec.Preprocess, st.clipOptions())
		opts.Analyzers = append(append([]analysis.Analyzer(nil), opts.Analyzers...), clipA, ws.framesAnalyzer(st))
	}
	if embed {
		// Face models that do not load are reported by Faces().Err; the
		// rest of the index runs.
		opts.Analyzers, _, _ = ws.withFaces(ctx, opts.Analyzers)
		opts.Analyzers, _ = ws.withOCR(opts.Analyzers)
	}
	res, err = ws.Lib.Scan(ctx, opts)
	if clipA != nil && res.Analysis != nil {
		r := vectors.FromAnalysis(ctx, ws.Lib.DB, st.StoreModel, res.Analysis)
		r.Timing = clipA.Timing()
		emb = &r
	}
	// New vectors, and the vectors that changed content lost, reach the
	// search index through the change log (a Live follower has taken most
	// of them batch by batch already).
	ws.Sync(context.WithoutCancel(ctx))
	return res, emb, err
}

// Sync brings the in-memory search index up to the change log, whoever
// wrote it (this process or another), and tells Live's listener what
// changed. It is the index's one writer. moved reports whether the log
// had grown; a failed follow has dropped the index, which then reloads
// on the next search.
func (ws *Workspace) Sync(ctx context.Context) (moved bool, err error) {
	ws.syncMu.Lock()
	defer ws.syncMu.Unlock()
	top, err := ws.Lib.DB.ChangeSeq(ctx)
	if err != nil || top == ws.seq {
		return false, err
	}
	c, err := ws.Lib.DB.ChangesSince(ctx, ws.seq)
	if err != nil {
		return false, err
	}
	ws.seq = c.Seq
	err = ws.Follow(ctx, c)
	if !c.Empty() && ws.heard != nil {
		ws.heard(c) // told even when Follow failed: it reloads instead
	}
	return true, err
}

// Close releases the model and the database.
func (ws *Workspace) Close() error {
	ws.swap.Lock()
	for _, m := range ws.retired {
		m.Engine.Close()
	}
	ws.retired = nil
	ws.swap.Unlock()
	if m := ws.Now().Model; m != nil {
		m.Engine.Close()
	}
	ws.faces.close()
	ws.ocr.close()
	return ws.Lib.Close()
}

// Trash moves entries' files to the library's trash and forgets them, and
// takes them out of the in-memory search index.
func (ws *Workspace) Trash(ctx context.Context, ids []int64) (int, error) {
	done, err := ws.Lib.Trash(ctx, ids)
	ws.Sync(context.WithoutCancel(ctx)) // the trashed entries leave the search index
	return len(done), err
}
