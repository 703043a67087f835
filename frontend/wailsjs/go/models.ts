export namespace api {
	
	export class AutocompleteItem {
	    kind: string;
	    text: string;
	    label: string;
	    color?: string;
	
	    static createFrom(source: any = {}) {
	        return new AutocompleteItem(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.kind = source["kind"];
	        this.text = source["text"];
	        this.label = source["label"];
	        this.color = source["color"];
	    }
	}
	export class CatalogModel {
	    name: string;
	    title: string;
	    description: string;
	    installed: boolean;
	    default: boolean;
	    in_use: boolean;
	    kind: string;
	    size_mb: number;
	
	    static createFrom(source: any = {}) {
	        return new CatalogModel(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.title = source["title"];
	        this.description = source["description"];
	        this.installed = source["installed"];
	        this.default = source["default"];
	        this.in_use = source["in_use"];
	        this.kind = source["kind"];
	        this.size_mb = source["size_mb"];
	    }
	}
	export class Item {
	    id: number;
	    path: string;
	    path_escaped?: boolean;
	    name: string;
	    media_type: string;
	    format: string;
	    width: number;
	    height: number;
	    taken?: string;
	    size: number;
	    thumb?: string;
	    score?: number;
	    missing?: boolean;
	    facts?: facts.Facts;
	    label?: string;
	
	    static createFrom(source: any = {}) {
	        return new Item(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.path = source["path"];
	        this.path_escaped = source["path_escaped"];
	        this.name = source["name"];
	        this.media_type = source["media_type"];
	        this.format = source["format"];
	        this.width = source["width"];
	        this.height = source["height"];
	        this.taken = source["taken"];
	        this.size = source["size"];
	        this.thumb = source["thumb"];
	        this.score = source["score"];
	        this.missing = source["missing"];
	        this.facts = this.convertValues(source["facts"], facts.Facts);
	        this.label = source["label"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class DuplicateGroup {
	    kind: string;
	    items: Item[];
	    keeper: number;
	    similarity: number;
	
	    static createFrom(source: any = {}) {
	        return new DuplicateGroup(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.kind = source["kind"];
	        this.items = this.convertValues(source["items"], Item);
	        this.keeper = source["keeper"];
	        this.similarity = source["similarity"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Face {
	    id: number;
	    entry_id: number;
	    box: number[];
	    landmarks: number[];
	    score: number;
	    quality: number;
	    person_id: number;
	    name: string;
	    crop: string;
	    thumb?: string;
	    suggestions?: faces.NameSuggestion[];
	
	    static createFrom(source: any = {}) {
	        return new Face(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.entry_id = source["entry_id"];
	        this.box = source["box"];
	        this.landmarks = source["landmarks"];
	        this.score = source["score"];
	        this.quality = source["quality"];
	        this.person_id = source["person_id"];
	        this.name = source["name"];
	        this.crop = source["crop"];
	        this.thumb = source["thumb"];
	        this.suggestions = this.convertValues(source["suggestions"], faces.NameSuggestion);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class EntryDetail {
	    id: number;
	    path: string;
	    path_escaped?: boolean;
	    name: string;
	    media_type: string;
	    format: string;
	    width: number;
	    height: number;
	    taken?: string;
	    size: number;
	    thumb?: string;
	    score?: number;
	    missing?: boolean;
	    facts?: facts.Facts;
	    label?: string;
	    fingerprint: string;
	    mime: string;
	    orientation: number;
	    make?: string;
	    model?: string;
	    camera?: string;
	    lens?: string;
	    iso?: number;
	    fnumber?: number;
	    exposure?: string;
	    focal_length?: number;
	    lat?: number;
	    lon?: number;
	    tags: tags.Tag[];
	    fields: tags.Field[];
	    file_url: string;
	    preview_url?: string;
	    warnings: string[];
	    faces: Face[];
	
	    static createFrom(source: any = {}) {
	        return new EntryDetail(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.path = source["path"];
	        this.path_escaped = source["path_escaped"];
	        this.name = source["name"];
	        this.media_type = source["media_type"];
	        this.format = source["format"];
	        this.width = source["width"];
	        this.height = source["height"];
	        this.taken = source["taken"];
	        this.size = source["size"];
	        this.thumb = source["thumb"];
	        this.score = source["score"];
	        this.missing = source["missing"];
	        this.facts = this.convertValues(source["facts"], facts.Facts);
	        this.label = source["label"];
	        this.fingerprint = source["fingerprint"];
	        this.mime = source["mime"];
	        this.orientation = source["orientation"];
	        this.make = source["make"];
	        this.model = source["model"];
	        this.camera = source["camera"];
	        this.lens = source["lens"];
	        this.iso = source["iso"];
	        this.fnumber = source["fnumber"];
	        this.exposure = source["exposure"];
	        this.focal_length = source["focal_length"];
	        this.lat = source["lat"];
	        this.lon = source["lon"];
	        this.tags = this.convertValues(source["tags"], tags.Tag);
	        this.fields = this.convertValues(source["fields"], tags.Field);
	        this.file_url = source["file_url"];
	        this.preview_url = source["preview_url"];
	        this.warnings = source["warnings"];
	        this.faces = this.convertValues(source["faces"], Face);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class FacesState {
	    on: boolean;
	    off: boolean;
	    missing: boolean;
	    error: string;
	    faces: number;
	    people: number;
	
	    static createFrom(source: any = {}) {
	        return new FacesState(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.on = source["on"];
	        this.off = source["off"];
	        this.missing = source["missing"];
	        this.error = source["error"];
	        this.faces = source["faces"];
	        this.people = source["people"];
	    }
	}
	
	export class ModelState {
	    name: string;
	    dir: string;
	    dim: number;
	    vectors: number;
	    pending: number;
	
	    static createFrom(source: any = {}) {
	        return new ModelState(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.dir = source["dir"];
	        this.dim = source["dim"];
	        this.vectors = source["vectors"];
	        this.pending = source["pending"];
	    }
	}
	export class LibraryInfo {
	    root: string;
	    name: string;
	    entries: number;
	    missing: number;
	    model?: ModelState;
	    provider?: ort.ProviderInfo;
	    model_error: string;
	    watch?: watch.Watching;
	    tagstudio?: boolean;
	    faces: FacesState;
	
	    static createFrom(source: any = {}) {
	        return new LibraryInfo(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.root = source["root"];
	        this.name = source["name"];
	        this.entries = source["entries"];
	        this.missing = source["missing"];
	        this.model = this.convertValues(source["model"], ModelState);
	        this.provider = this.convertValues(source["provider"], ort.ProviderInfo);
	        this.model_error = source["model_error"];
	        this.watch = this.convertValues(source["watch"], watch.Watching);
	        this.tagstudio = source["tagstudio"];
	        this.faces = this.convertValues(source["faces"], FacesState);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class Person {
	    id: number;
	    name: string;
	    tag_id: number;
	    hidden: boolean;
	    faces: number;
	    entries: number;
	    cover?: Face;
	    query: string;
	
	    static createFrom(source: any = {}) {
	        return new Person(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.tag_id = source["tag_id"];
	        this.hidden = source["hidden"];
	        this.faces = source["faces"];
	        this.entries = source["entries"];
	        this.cover = this.convertValues(source["cover"], Face);
	        this.query = source["query"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class QueryError {
	    message: string;
	    column: number;
	    length: number;
	
	    static createFrom(source: any = {}) {
	        return new QueryError(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.message = source["message"];
	        this.column = source["column"];
	        this.length = source["length"];
	    }
	}
	export class SearchRequest {
	    query: string;
	    limit: number;
	    offset: number;
	    sort?: string;
	    show_hidden?: boolean;
	
	    static createFrom(source: any = {}) {
	        return new SearchRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.query = source["query"];
	        this.limit = source["limit"];
	        this.offset = source["offset"];
	        this.sort = source["sort"];
	        this.show_hidden = source["show_hidden"];
	    }
	}
	export class SearchResult {
	    items: Item[];
	    total: number;
	    cutoff?: number;
	    semantic: boolean;
	    error?: QueryError;
	    took_ms: number;
	    note?: string;
	
	    static createFrom(source: any = {}) {
	        return new SearchResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.items = this.convertValues(source["items"], Item);
	        this.total = source["total"];
	        this.cutoff = source["cutoff"];
	        this.semantic = source["semantic"];
	        this.error = this.convertValues(source["error"], QueryError);
	        this.took_ms = source["took_ms"];
	        this.note = source["note"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class TagCount {
	    tag: tags.Tag;
	    count: number;
	
	    static createFrom(source: any = {}) {
	        return new TagCount(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.tag = this.convertValues(source["tag"], tags.Tag);
	        this.count = source["count"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class SelectionTags {
	    all: tags.Tag[];
	    some: TagCount[];
	
	    static createFrom(source: any = {}) {
	        return new SelectionTags(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.all = this.convertValues(source["all"], tags.Tag);
	        this.some = this.convertValues(source["some"], TagCount);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Settings {
	    model: string;
	    provider: string;
	    thumb_size: number;
	    theme: string;
	
	    static createFrom(source: any = {}) {
	        return new Settings(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.model = source["model"];
	        this.provider = source["provider"];
	        this.thumb_size = source["thumb_size"];
	        this.theme = source["theme"];
	    }
	}
	export class Suggestion {
	    tag: tags.Tag;
	    score: number;
	    reason: string;
	    sources: string[];
	    examples: Item[];
	
	    static createFrom(source: any = {}) {
	        return new Suggestion(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.tag = this.convertValues(source["tag"], tags.Tag);
	        this.score = source["score"];
	        this.reason = source["reason"];
	        this.sources = source["sources"];
	        this.examples = this.convertValues(source["examples"], Item);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class TagPatch {
	    name?: string;
	    shorthand?: string;
	    color?: string;
	    is_category?: boolean;
	    is_hidden?: boolean;
	    add_alias?: string;
	    remove_alias?: string;
	    add_parent?: number;
	    remove_parent?: number;
	
	    static createFrom(source: any = {}) {
	        return new TagPatch(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.shorthand = source["shorthand"];
	        this.color = source["color"];
	        this.is_category = source["is_category"];
	        this.is_hidden = source["is_hidden"];
	        this.add_alias = source["add_alias"];
	        this.remove_alias = source["remove_alias"];
	        this.add_parent = source["add_parent"];
	        this.remove_parent = source["remove_parent"];
	    }
	}

}

export namespace faces {
	
	export class NameSuggestion {
	    person_id: number;
	    name: string;
	    score: number;
	
	    static createFrom(source: any = {}) {
	        return new NameSuggestion(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.person_id = source["person_id"];
	        this.name = source["name"];
	        this.score = source["score"];
	    }
	}
	export class Tuning {
	    detect_size: number;
	    min_score: number;
	    min_size: number;
	    match: number;
	    min_faces: number;
	    suggest: number;
	
	    static createFrom(source: any = {}) {
	        return new Tuning(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.detect_size = source["detect_size"];
	        this.min_score = source["min_score"];
	        this.min_size = source["min_size"];
	        this.match = source["match"];
	        this.min_faces = source["min_faces"];
	        this.suggest = source["suggest"];
	    }
	}

}

export namespace facts {
	
	export class Facts {
	    duration?: number;
	    codec?: string;
	    audio_codec?: string;
	    width?: number;
	    height?: number;
	    fps?: number;
	    bitrate?: number;
	    rotation?: number;
	    sample_rate?: number;
	    channels?: number;
	    created?: string;
	    lat?: number;
	    lon?: number;
	    make?: string;
	    model?: string;
	    pages?: number;
	    title?: string;
	    artist?: string;
	    album?: string;
	    author?: string;
	    genre?: string;
	    year?: number;
	    track?: number;
	
	    static createFrom(source: any = {}) {
	        return new Facts(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.duration = source["duration"];
	        this.codec = source["codec"];
	        this.audio_codec = source["audio_codec"];
	        this.width = source["width"];
	        this.height = source["height"];
	        this.fps = source["fps"];
	        this.bitrate = source["bitrate"];
	        this.rotation = source["rotation"];
	        this.sample_rate = source["sample_rate"];
	        this.channels = source["channels"];
	        this.created = source["created"];
	        this.lat = source["lat"];
	        this.lon = source["lon"];
	        this.make = source["make"];
	        this.model = source["model"];
	        this.pages = source["pages"];
	        this.title = source["title"];
	        this.artist = source["artist"];
	        this.album = source["album"];
	        this.author = source["author"];
	        this.genre = source["genre"];
	        this.year = source["year"];
	        this.track = source["track"];
	    }
	}

}

export namespace jobs {
	
	export class Job {
	    id: string;
	    kind: string;
	    title: string;
	    phase: string;
	    done: number;
	    total: number;
	    rate: number;
	    unit: string;
	    eta: number;
	    current: string;
	    state: string;
	    error?: string;
	    result?: any;
	
	    static createFrom(source: any = {}) {
	        return new Job(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.kind = source["kind"];
	        this.title = source["title"];
	        this.phase = source["phase"];
	        this.done = source["done"];
	        this.total = source["total"];
	        this.rate = source["rate"];
	        this.unit = source["unit"];
	        this.eta = source["eta"];
	        this.current = source["current"];
	        this.state = source["state"];
	        this.error = source["error"];
	        this.result = source["result"];
	    }
	}

}

export namespace library {
	
	export class ImportPlan {
	    files: number;
	    bytes: number;
	    conflicts: string[];
	
	    static createFrom(source: any = {}) {
	        return new ImportPlan(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.files = source["files"];
	        this.bytes = source["bytes"];
	        this.conflicts = source["conflicts"];
	    }
	}

}

export namespace ort {
	
	export class ProviderInfo {
	    requested: string;
	    using: string;
	    reason: string;
	
	    static createFrom(source: any = {}) {
	        return new ProviderInfo(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.requested = source["requested"];
	        this.using = source["using"];
	        this.reason = source["reason"];
	    }
	}

}

export namespace prefs {
	
	export class RecentLibrary {
	    root: string;
	    name: string;
	    opened_at: string;
	
	    static createFrom(source: any = {}) {
	        return new RecentLibrary(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.root = source["root"];
	        this.name = source["name"];
	        this.opened_at = source["opened_at"];
	    }
	}

}

export namespace tags {
	
	export class Field {
	    name: string;
	    kind: string;
	    value: string;
	
	    static createFrom(source: any = {}) {
	        return new Field(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.kind = source["kind"];
	        this.value = source["value"];
	    }
	}
	export class Tag {
	    id: number;
	    name: string;
	    shorthand: string;
	    color: string;
	    is_category: boolean;
	    is_hidden: boolean;
	    aliases: string[];
	    parents: number[];
	    count: number;
	
	    static createFrom(source: any = {}) {
	        return new Tag(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.shorthand = source["shorthand"];
	        this.color = source["color"];
	        this.is_category = source["is_category"];
	        this.is_hidden = source["is_hidden"];
	        this.aliases = source["aliases"];
	        this.parents = source["parents"];
	        this.count = source["count"];
	    }
	}

}

export namespace watch {
	
	export class Watching {
	    mode: string;
	    folders: number;
	    every?: number;
	    reason?: string;
	    fix?: string;
	
	    static createFrom(source: any = {}) {
	        return new Watching(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.mode = source["mode"];
	        this.folders = source["folders"];
	        this.every = source["every"];
	        this.reason = source["reason"];
	        this.fix = source["fix"];
	    }
	}

}

