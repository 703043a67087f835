package api

// The open library: opening, facts, import, indexing, jobs and trash.

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/tagsight/tagsight/backend/jobs"
	"github.com/tagsight/tagsight/backend/library"
	"github.com/tagsight/tagsight/backend/prefs"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/tagstudio"
	"github.com/tagsight/tagsight/backend/watch"
	"github.com/tagsight/tagsight/backend/workspace"
)

// RecentLibraries lists libraries opened before, newest first.
func (a *API) RecentLibraries() ([]prefs.RecentLibrary, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.cfg.ExistingRecent(), nil
}

// PickFolder shows the native folder dialog ("" when cancelled).
func (a *API) PickFolder() (string, error) {
	if a.opts.PickFolder == nil {
		return "", &Error{Code: CodeInvalid, Message: "no folder dialog in the browser: type the folder's path"}
	}
	return a.opts.PickFolder()
}

// OpenLibrary opens (or with create, makes) a library and starts indexing it.
func (a *API) OpenLibrary(root string, create bool) (LibraryInfo, error) {
	return a.open(root, create, true)
}

func (a *API) open(root string, create, index bool) (LibraryInfo, error) {
	mo := a.opts.Model
	if mo.Provider == "" && a.cfg.Provider != "auto" {
		mo.Provider = a.cfg.Provider
	}
	ws, err := workspace.Open(a.life, root, create, mo, false) // outlives the call
	if err != nil {
		return LibraryInfo{}, err
	}
	live, err := a.startLive(ws)
	if err != nil {
		ws.Close()
		return LibraryInfo{}, err
	}
	a.mu.Lock()
	old, oldLive := a.ws, a.live
	a.ws, a.live = ws, live
	if a.opts.Web {
		// The served library keeps the web's settings; there are no recents.
		a.loadConfig()
	} else {
		a.cfg.Opened(ws.Lib.Root, time.Now())
		a.saveConfig()
	}
	a.mu.Unlock()
	if oldLive != nil {
		oldLive.Close()
	}
	if old != nil {
		old.Close()
	}
	if index {
		if _, err := a.StartIndex(); err != nil {
			return LibraryInfo{}, err
		}
	}
	info, err := a.LibraryInfo()
	if err != nil || info == nil {
		return LibraryInfo{}, err
	}
	return *info, nil
}

// LibraryInfo describes the open library (nil when none is open).
func (a *API) LibraryInfo() (*LibraryInfo, error) {
	a.mu.RLock()
	ws := a.ws
	a.mu.RUnlock()
	if ws == nil {
		return nil, nil
	}
	ctx := a.ctx()
	info := &LibraryInfo{Root: ws.Lib.Root, Name: filepath.Base(ws.Lib.Root)}
	if a.opts.Web {
		info.Root = "" // the web gets no folder of the server's
	}
	st := ws.Now() // one model for the whole answer
	sum, err := ws.Lib.DB.Summary(ctx, st.StoreModel)
	if err != nil {
		return nil, err
	}
	info.Entries, info.Missing = sum.Entries, sum.Missing
	if st.Model != nil {
		ms := &ModelState{Name: filepath.Base(st.Model.Dir), Dir: st.Model.Dir, Dim: st.StoreModel.Dim}
		if a.opts.Web {
			ms.Dir = ""
		}
		ms.Vectors, ms.Pending = sum.Vectors, sum.ToEmbed
		info.Model = ms
		p := st.Model.Engine.ProviderInfo()
		info.Provider = &p
	} else if st.ModelErr != nil {
		info.ModelError = st.ModelErr.Error()
	}
	info.Faces = facesState(ws, sum, a.opts.Web)
	info.OCR = ocrState(ws, a.opts.Web)
	if _, _, err := tagstudio.Find(ws.Lib.Root); err == nil {
		offer, _ := ws.Lib.DB.Setting(ctx, tagStudioOffer, "")
		info.TagStudio = offer == ""
	}
	a.mu.RLock()
	if a.live != nil && a.ws == ws {
		s := a.live.Status()
		info.Watch = &s
	}
	a.mu.RUnlock()
	return info, nil
}

// PlanImport says what importing paths into target would copy and which
// destinations exist already.
func (a *API) PlanImport(paths []string, target string) (library.ImportPlan, error) {
	ws, err := a.workspace()
	if err != nil {
		return library.ImportPlan{}, err
	}
	return ws.Lib.PlanImport(a.ctx(), paths, target)
}

// Import copies files and folders into the library, then indexes them.
func (a *API) Import(paths []string, target, conflict string) (jobs.Job, error) {
	ws, err := a.workspace()
	if err != nil {
		return jobs.Job{}, err
	}
	if _, err := library.CleanTarget(target); err != nil {
		return jobs.Job{}, &Error{Code: CodeInvalid, Message: err.Error()}
	}
	title := fmt.Sprintf("Importing %d items", len(paths))
	if len(paths) == 1 {
		title = "Importing " + filepath.Base(paths[0])
	}
	return a.jobs.Start("import", title, ws.Lib.Root, func(ctx context.Context, report func(jobs.Progress)) (any, error) {
		start := time.Now()
		res, err := ws.Lib.Import(ctx, paths, target, conflict, func(p library.ImportProgress) {
			rate, eta := jobs.Pace(float64(p.Done), float64(p.Total-p.Done), time.Since(start))
			report(jobs.Progress{Phase: "copy", Done: p.Done, Total: p.Total, Rate: rate, Unit: "B", ETA: eta, Current: p.Current})
		})
		if err != nil {
			return res, err
		}
		a.changed()
		if len(res.Paths) == 0 {
			return res, nil // nothing new to index
		}
		return res, a.index(ctx, ws, report, res.Paths...)
	})
}

// StartIndex scans the library and embeds new pictures in the background.
func (a *API) StartIndex() (jobs.Job, error) {
	ws, err := a.workspace()
	if err != nil {
		return jobs.Job{}, err
	}
	return a.jobs.Start("index", "Indexing "+filepath.Base(ws.Lib.Root), ws.Lib.Root, func(ctx context.Context, report func(jobs.Progress)) (any, error) {
		return nil, a.index(ctx, ws, report)
	})
}

// index runs the analysis over the library, or over only (the files an
// import or upload brought: exactly those, not a rescan of everything).
func (a *API) index(ctx context.Context, ws *workspace.Workspace, report func(jobs.Progress), only ...string) error {
	a.mu.RLock()
	thumb := a.cfg.ThumbSize
	a.mu.RUnlock()
	// One pass (package analysis): thumbnail, metadata and, with the
	// models, the CLIP vector and the faces of each picture from one decode.
	_, emb, err := ws.Index(ctx, library.ScanOptions{ThumbSize: thumb, Only: only, Report: func(p library.Progress) {
		report(jobs.Progress{Phase: "scan", Done: int64(p.Done), Total: int64(p.Total), Rate: p.Rate, Unit: "files", ETA: p.ETA, Current: p.Current})
	}}, true)
	if err == nil || emb != nil {
		a.changed()
	}
	return err
}

// changed makes the UI hear of a change this process made now, rather
// than at the change log's next check; the log tells it once per batch.
func (a *API) changed() {
	a.mu.RLock()
	live := a.live
	a.mu.RUnlock()
	if live != nil {
		live.Poke()
		return
	}
	a.emitInfo()
}

// emitIfOpen tells the UI of a change to ws if ws is (still) the open
// library, and reports whether it is.
func (a *API) emitIfOpen(ws *workspace.Workspace) bool {
	a.mu.RLock()
	open := a.ws == ws
	a.mu.RUnlock()
	if open {
		a.emitInfo()
	}
	return open
}

// emitInfo tells the UI the library changed, with its new facts. It runs
// under the API's life, not a call's: jobs and the watcher call it after
// the call that started them has ended.
func (a *API) emitInfo() {
	info, err := (&API{core: a.core}).LibraryInfo()
	if err != nil || info == nil {
		return
	}
	a.opts.Emit(EventLibraryChanged, info)
}

// CancelJob stops a job after it commits what it finished.
func (a *API) CancelJob(id string) error { return a.jobs.Cancel(id) }

// Jobs lists running and recently finished jobs.
func (a *API) Jobs() ([]jobs.Job, error) { return a.jobs.List(), nil }

// Trash moves entries' files into the library's trash folder
// (.tagsight/trash/<time>/…) and forgets the entries.
func (a *API) Trash(ids []int64) (int, error) {
	ws, err := a.workspace()
	if err != nil {
		return 0, err
	}
	// Not cancelled midway: a file already in the trash must lose its entry.
	n, err := ws.Trash(context.WithoutCancel(a.ctx()), ids)
	if n > 0 {
		a.changed()
	}
	return n, err
}

// startLive watches the library's folder (each batch of changes is a
// job, so the job panel shows what the watcher does) and follows changes
// made by any process, telling the UI once per batch.
func (a *API) startLive(ws *workspace.Workspace) (*workspace.Live, error) {
	return ws.Live(workspace.LiveOptions{
		Watch: a.opts.Watch,
		Scan: func() library.ScanOptions {
			a.mu.RLock()
			defer a.mu.RUnlock()
			return library.ScanOptions{ThumbSize: a.cfg.ThumbSize}
		},
		Run: func(ctx context.Context, b watch.Batch, work func(context.Context, library.Reporter) error) {
			if b.Rescan && b.Why == "poll" {
				// The periodic light rescan is quiet; what it finds shows
				// up in the grid like any change.
				work(ctx, nil)
				return
			}
			title := "Checking the whole folder for changes"
			if !b.Rescan {
				title = fmt.Sprintf("Updating %d changed items", len(b.Paths))
				if len(b.Paths) == 1 {
					title = "Updating " + b.Paths[0]
				}
			}
			j, err := a.jobs.StartQuiet("watch", title, ws.Lib.Root, func(ctx context.Context, report func(jobs.Progress)) (any, error) {
				return nil, work(ctx, func(p library.Progress) {
					report(jobs.Progress{Phase: p.Phase, Done: int64(p.Done), Total: int64(p.Total), Rate: p.Rate, Unit: "files", ETA: p.ETA, Current: p.Current})
				})
			})
			if err == nil {
				a.jobs.Wait(ctx, j.ID) // later changes gather meanwhile
			}
		},
		Indexed: func(_ watch.Batch, res library.ScanResult, err error) {
			if err != nil && !res.Cancelled && a.opts.WatchFailed != nil {
				a.opts.WatchFailed(err)
			}
		},
		Changed: func(store.Changes) { a.emitIfOpen(ws) },
		Status: func(w watch.Watching) {
			if a.opts.Watching != nil {
				a.opts.Watching(w) // ws is the open library, or about to be
			}
			a.emitIfOpen(ws)
		},
		Model: func() {
			if a.emitIfOpen(ws) {
				a.StartIndex()
			}
		},
	})
}

// tagStudioOffer is the library setting that remembers the TagStudio
// offer's answer: "imported" or "dismissed".
const tagStudioOffer = "tagstudio_offer"

// ImportTagStudio brings the tags of the TagStudio library in the open
// folder (.TagStudio) in: tags, aliases, parents, colours, the tags on
// entries and fields; after the library is indexed (the job waits its
// turn behind an index). TagStudio's files are only read. The job's result
// is the report (tagstudio.Report).
func (a *API) ImportTagStudio() (jobs.Job, error) {
	ws, err := a.workspace()
	if err != nil {
		return jobs.Job{}, err
	}
	if _, _, err := tagstudio.Find(ws.Lib.Root); err != nil {
		return jobs.Job{}, &Error{Code: CodeNotFound, Message: "this folder is not a TagStudio library (no .TagStudio folder with a library in it)"}
	}
	return a.jobs.Start("tagstudio", "Bringing in TagStudio's tags", ws.Lib.Root, func(ctx context.Context, report func(jobs.Progress)) (any, error) {
		report(jobs.Progress{Phase: "import", Current: tagstudio.Folder})
		rep, err := tagstudio.Import(ctx, ws.Lib.DB, ws.Lib.Root)
		if err != nil {
			return rep, err
		}
		if err := ws.Lib.DB.SetSetting(ctx, tagStudioOffer, "imported"); err != nil {
			return rep, err
		}
		a.changed()
		return rep, nil
	})
}

// DismissTagStudio stops offering to bring a TagStudio library's tags in
// (ImportTagStudio still works).
func (a *API) DismissTagStudio() error {
	ws, err := a.workspace()
	if err != nil {
		return err
	}
	if err := ws.Lib.DB.SetSetting(a.ctx(), tagStudioOffer, "dismissed"); err != nil {
		return err
	}
	a.emitInfo()
	return nil
}

// XMPReport is what a WriteXMP job did.
type XMPReport struct {
	Written int `json:"written"` // sidecars that now hold the tags
	Changed int `json:"changed"` // of those, created or changed
	Errors  int `json:"errors"`
}

// WriteXMP writes the tags of these entries into XMP sidecars beside their
// files (dc:subject and lr:hierarchicalSubject), merged with what a
// sidecar holds; pictures themselves are never written. The job's result
// is an XMPReport.
func (a *API) WriteXMP(ids []int64) (jobs.Job, error) {
	ws, err := a.workspace()
	if err != nil {
		return jobs.Job{}, err
	}
	if len(ids) == 0 {
		return jobs.Job{}, &Error{Code: CodeInvalid, Message: "select the pictures whose tags to write"}
	}
	title := fmt.Sprintf("Writing the tags of %d pictures to XMP sidecars", len(ids))
	return a.jobs.Start("xmp", title, ws.Lib.Root, func(ctx context.Context, report func(jobs.Progress)) (any, error) {
		var entries []store.Entry
		for _, id := range ids {
			e, err := ws.Lib.DB.EntryByID(ctx, id)
			if err != nil {
				continue // gone meanwhile
			}
			entries = append(entries, e)
		}
		report(jobs.Progress{Phase: "write", Total: int64(len(entries)), Unit: "files"})
		done, err := ws.Lib.WriteXMP(ctx, entries)
		var rep XMPReport
		for _, w := range done {
			switch {
			case w.Error != "":
				rep.Errors++
			case w.Sidecar != "":
				rep.Written++
				if w.Changed || w.Created {
					rep.Changed++
				}
			}
		}
		return rep, err
	})
}
