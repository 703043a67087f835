package tagstudio

// searchLibraryTags and searchLibraryEntries are TagStudio's search_library
// fixture (tests/fixtures/search_library, DB version 400, commit f978ae1e):
// the library its search tests count on, transcribed once from the fixture
// (the tests never read it). As shipped, three of its entries have no file
// on disk (untagged.txt, untagged.png, empty.png: searchLibraryAbsent);
// TagStudio keeps them as unlinked entries and its search counts them.
var searchLibraryTags = []genTag{
	{id: 0, name: "Archived", ns: "tagstudio-standard", slug: "red", hidden: true, aliases: []string{"Archive"}, parents: []int64{2}},
	{id: 1, name: "Favorite", ns: "tagstudio-standard", slug: "yellow", aliases: []string{"Favorited", "Favorites"}, parents: []int64{2}},
	{id: 2, name: "Meta Tags", category: true, aliases: []string{"Meta Tag", "Meta"}},
	{id: 1000, name: "Parent"},
	{id: 1001, name: "Default"},
	{id: 1002, name: "Black", ns: "tagstudio-grayscale", slug: "black", parents: []int64{1040}},
	{id: 1003, name: "Dark Gray", ns: "tagstudio-grayscale", slug: "dark-gray", aliases: []string{"Dark Grey"}, parents: []int64{1002, 1004, 1040}},
	{id: 1004, name: "Gray", ns: "tagstudio-grayscale", slug: "gray", aliases: []string{"Grey"}, parents: []int64{1002, 1006, 1040}},
	{id: 1005, name: "Light Gray", ns: "tagstudio-grayscale", slug: "light-gray", aliases: []string{"Light Grey"}, parents: []int64{1004, 1006, 1040}},
	{id: 1006, name: "White", ns: "tagstudio-grayscale", slug: "white", parents: []int64{1040}},
	{id: 1007, name: "Light Pink", ns: "tagstudio-pastels", slug: "light-pink", parents: []int64{1006, 1009, 1040}},
	{id: 1008, name: "Pink", ns: "tagstudio-standard", slug: "pink", parents: []int64{1006, 1009, 1040}},
	{id: 1009, name: "Red", ns: "tagstudio-standard", slug: "red", parents: []int64{1040}},
	{id: 1010, name: "Red Orange", ns: "tagstudio-standard", slug: "red-orange", parents: []int64{1009, 1011, 1040}},
	{id: 1011, name: "Orange", ns: "tagstudio-standard", slug: "orange", parents: []int64{1009, 1013, 1040}},
	{id: 1012, name: "Yellow Orange", ns: "tagstudio-standard", slug: "amber", parents: []int64{1011, 1040}},
	{id: 1013, name: "Yellow", ns: "tagstudio-standard", slug: "yellow", parents: []int64{1040}},
	{id: 1014, name: "Lime", ns: "tagstudio-standard", slug: "lime", parents: []int64{1006, 1017, 1040}},
	{id: 1015, name: "Light Green", ns: "tagstudio-pastels", slug: "light-green"},
	{id: 1016, name: "Mint", ns: "tagstudio-pastels", slug: "mint", parents: []int64{1017, 1019, 1040}},
	{id: 1017, name: "Green", ns: "tagstudio-standard", slug: "green", parents: []int64{1013, 1021, 1040}},
	{id: 1018, name: "Teal", ns: "tagstudio-standard", slug: "teal", parents: []int64{1017, 1021, 1040}},
	{id: 1019, name: "Cyan", ns: "tagstudio-standard", slug: "cyan", parents: []int64{1017, 1021, 1040}},
	{id: 1020, name: "Light Blue", ns: "tagstudio-pastels", slug: "light-blue", parents: []int64{1006, 1021, 1040}},
	{id: 1021, name: "Blue", ns: "tagstudio-standard", slug: "blue", parents: []int64{1040}},
	{id: 1022, name: "Blue Violet", ns: "tagstudio-shades", slug: "navy", parents: []int64{1021, 1023, 1040}},
	{id: 1023, name: "Violet", ns: "tagstudio-standard", slug: "indigo", parents: []int64{1009, 1021, 1040}},
	{id: 1024, name: "Purple", ns: "tagstudio-standard", slug: "purple", parents: []int64{1009, 1021, 1040}},
	{id: 1025, name: "Lavender", ns: "tagstudio-pastels", slug: "lavender", parents: []int64{1006, 1024, 1040}},
	{id: 1026, name: "Berry", ns: "tagstudio-shades", slug: "berry"},
	{id: 1027, name: "Magenta", ns: "tagstudio-standard", slug: "magenta"},
	{id: 1028, name: "Salmon", ns: "tagstudio-pastels", slug: "salmon"},
	{id: 1029, name: "Auburn", ns: "tagstudio-shades", slug: "auburn"},
	{id: 1030, name: "Dark Brown", ns: "tagstudio-earth-tones", slug: "dark-brown"},
	{id: 1031, name: "Brown", ns: "tagstudio-earth-tones", slug: "brown"},
	{id: 1032, name: "Light Brown", ns: "tagstudio-earth-tones", slug: "light-brown"},
	{id: 1033, name: "Blonde", ns: "tagstudio-earth-tones", slug: "blonde"},
	{id: 1034, name: "Peach", ns: "tagstudio-earth-tones", slug: "peach"},
	{id: 1035, name: "Warm Gray", ns: "tagstudio-earth-tones", slug: "warm-gray", aliases: []string{"Warm Grey"}, parents: []int64{1004, 1011, 1040}},
	{id: 1036, name: "Cool Gray", ns: "tagstudio-earth-tones", slug: "cool-gray", aliases: []string{"Cool Grey"}, parents: []int64{1004, 1021, 1040}},
	{id: 1037, name: "Olive", ns: "tagstudio-shades", slug: "olive", parents: []int64{1004, 1017, 1040}},
	{id: 1038, name: "Square", parents: []int64{1039}},
	{id: 1039, name: "Shape"},
	{id: 1040, name: "Color"},
	{id: 1041, name: "Circle", parents: []int64{1039, 1042}},
	{id: 1042, name: "Ellipse", parents: []int64{1039, 1043}},
	{id: 1043, name: "Round"},
}

var searchLibraryEntries = []genEntry{
	{1, "inherit colors shapes/red.jpg", []int64{1009}},
	{2, "inherit colors shapes/red_square.jpg", []int64{1009, 1038}},
	{3, "inherit colors shapes/red_circle.jpg", []int64{1009, 1041}},
	{4, "inherit colors shapes/blue_circle.jpg", []int64{1021, 1041}},
	{5, "inherit colors shapes/blue_square.jpg", []int64{1021, 1038}},
	{6, "inherit colors shapes/blue.jpg", []int64{1021}},
	{11, "inherit colors shapes/green_circle.png", []int64{1017, 1041}},
	{12, "inherit colors shapes/green.png", []int64{1017}},
	{13, "inherit colors shapes/green_square.png", []int64{1017, 1038}},
	{14, "inherit colors shapes/yellow_circle.png", []int64{1013, 1041}},
	{15, "inherit colors shapes/yellow_square.png", []int64{1013, 1038}},
	{16, "inherit colors shapes/yellow.png", []int64{1013}},
	{17, "inherit colors shapes/square.png", []int64{1038}},
	{18, "inherit colors shapes/circle.png", []int64{1041}},
	{19, "inherit colors shapes/shape.png", []int64{1039}},
	{20, "inherit colors shapes/orange_circle.png", []int64{1011, 1041}},
	{21, "inherit colors shapes/orange_square.png", []int64{1011, 1038}},
	{22, "inherit colors shapes/orange.png", []int64{1011}},
	{23, "inherit colors shapes/yellow_ellipse.png", []int64{1013, 1042}},
	{24, "inherit colors shapes/ellipse.png", []int64{1042}},
	{25, "inherit colors shapes/red_ellipse.png", []int64{1009, 1042}},
	{26, "inherit colors shapes/blue_ellipse.png", []int64{1021, 1042}},
	{27, "inherit colors shapes/green_ellipse.png", []int64{1017, 1042}},
	{28, "inherit colors shapes/orange_ellipse.png", []int64{1011, 1042}},
	{31, "comp colors shapes/r_circle_b_square.png", []int64{1009, 1021, 1038, 1041}},
	{32, "comp colors shapes/r_circle_g_square.png", []int64{1009, 1017, 1038, 1041}},
	{33, "comp colors shapes/r_circle_y_square.png", []int64{1009, 1013, 1038, 1041}},
	{34, "comp colors shapes/r_circle_o_square.png", []int64{1009, 1011, 1038, 1041}},
	{35, "comp colors shapes/r_circle_r_square.png", []int64{1009, 1038, 1041}},
	{36, "untagged.txt", []int64{}},
	{37, "untagged.png", []int64{}},
	{38, "empty.png", []int64{}},
}

// searchLibraryAbsent are the entries whose file TagStudio's fixture does
// not ship.
var searchLibraryAbsent = map[string]bool{"untagged.txt": true, "untagged.png": true, "empty.png": true}

// searchLibraryFields are the fixture's fields: an empty title on
// untagged.txt and a title on untagged.png, both files absent.
var searchLibraryFields = []genField{
	field(fieldTitle, 36, "", true),
	field(fieldTitle, 37, "I have fields, but no tags. I am not empty.", false),
}
