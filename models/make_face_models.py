#!/usr/bin/python3
"""Build face test models with the I/O of OpenCV-zoo's YuNet and SFace, plus cost stand-ins.

Run with the system Python (Debian 12: python3-torch 1.13, python3-onnx 1.12, numpy).
Every output is deterministic: running the script again rewrites the same bytes.

    # the committed test models (models/testmodels/faces, faces-dynamic, faces-tied)
    /usr/bin/python3 models/make_face_models.py --all

    # behaviour check of the torch modules the files are exported from (prints errors, cosines)
    /usr/bin/python3 models/make_face_models.py --check

    # the real architectures with random weights, for benchmarks (not committed)
    /usr/bin/python3 models/make_face_models.py OUT --standin

I/O of the real files (face_detection_yunet_2023mar.onnx, face_recognition_sface_2021dec.onnx),
mirrored exactly by every file written here:

  YuNet   input  "input" float32 [1,3,640,640]: BGR, raw 0..255 (cv::dnn::blobFromImage defaults)
          outputs, in this order, float32: cls_8 cls_16 cls_32 [1,N,1], obj_8 obj_16 obj_32 [1,N,1],
          bbox_8 bbox_16 bbox_32 [1,N,4], kps_8 kps_16 kps_32 [1,N,10], N = (H/s)*(W/s) =
          6400, 1600, 400 at 640x640. cls/obj are already sigmoids. OpenCV decodes anchor
          idx = r*cols + c as score = sqrt(clamp01(cls)*clamp01(obj)), cx = (c+bbox0)*s,
          cy = (r+bbox1)*s, w = exp(bbox2)*s, h = exp(bbox3)*s, landmark k = ((kps[2k]+c)*s,
          (kps[2k+1]+r)*s), landmarks: right eye, left eye, nose tip, right and left mouth corner.
          The real file declares 640x640 but its graph runs at any multiple of 32 (Reshapes
          with -1, Resizes by scales); so does faces/'s stand-in. The "2026may"-style dynamic
          variant declares input [1,3,"height","width"] and outputs [1,"anchors_8",1] etc.
          faces-tied/ holds a detector alone whose graph only runs at 640x640 (a Reshape to
          [1,10,80,80]), which an engine must refuse.
  SFace   input  "data" float32 [1,3,112,112] (static batch 1): RGB, raw 0..255 (the graph
          itself does (x-127.5)/128); output "fc1" float32 [1,128], not L2-normalised.

Test detector ("finds bright discs"). m = clamp((max(B,G,R) - 96)/64, 0, 1) per pixel. A stride-8
conv gives each 8x8 cell its bright area a and first moments (sum m*(x+0.5-x0), sum m*(y+0.5-y0))
relative to the cell origin (x0,y0); a 21x21 conv on the cell grid sums them over the cells
whose offset (dx,dy) has dx^2+dy^2 <= 10^2 (a round window of 80 px; moment weights include the
cell offset*8), giving area A and centroid
(X, Y) = (sum_x/A, sum_y/A) relative to each cell's origin, radius r = sqrt(A/pi). Stride-8 heads:
  bbox_8 = (X/8, Y/8, log(2r/8), log(2r/8))  -> decoded box: the square of side 2r centred on the
           centroid (the disc's bounding square)
  cls_8  = in(X)*in(Y)*gate(A), in(t) = clamp(4*(t+0.5),0,1)*clamp(4*(8.5-t),0,1) (1 for
           t in [-0.25, 8.25], 0 outside [-0.5, 8.5]), gate(A) = clamp((A - 0.75*pi*64)/(0.25*pi*64),
           0,1) (1 from A >= pi*8^2), times lit(a) = clamp((a-24)/16,0,1) of the cell's own bright
           area a (rejects the centroid of two discs' caps clipped by one window, which lies on
           the dark background between them): the cell holding the centroid fires, a neighbour within
           0.25 px of the shared edge fires too, with the same box (NMS merges them)
  obj_8  = 0.95 everywhere, so a detection's score is sqrt(0.95) = 0.9747
  kps_8  = point k = centroid + r*(T_k - 56)/40, T_k the ArcFace 112x112 template
           (38.2946,51.6963) (73.5318,51.5014) (56.0252,71.7366) (41.5493,92.3655) (70.7299,92.2041),
           so the similarity alignment maps the disc centre to ~(56,56) and its radius to ~40 px.
  cls/obj/bbox/kps at strides 16 and 32 are all 0 (score 0).
Limits: background dark (every channel < 60, i.e. m = 0), discs filled and bright (max channel
>= 160 gives m = 1), radius 10..64 px in detector-input pixels, centres >= 160 px apart, each
disc fully inside the image. Measured by --check: a clean binary disc of radius 20..60 at integer
and half-integer centres decodes to within 0.2 px (box edges and landmarks), and random layouts
within these limits give exactly one detection per disc.

Test recognizer ("encodes a disc's colour"). c = mean RGB of the central 32x32 (rows/cols 40..71)
of the crop; chroma u = c.(2,-1,-1)/sqrt6, v = c.(0,1,-1)/sqrt2 (grey removed; red at 0 deg,
green 120, blue 240); rho = sqrt(u^2+v^2) + 1 (the +1, in 0..255 units, makes grey crops give a
flat vector); fc1_i = exp(K*((u*cos t_i + v*sin t_i)/rho - 1)), t_i = 2*pi*i/128, K = 8. Cosine
of L2-normalised outputs: same hue 1, hues 60 deg apart ~0.12, 120 deg apart ~0.0003, and a
colour under +-8 per-pixel noise > 0.999 (printed by --check).

Cost stand-ins (--standin; random weights, same I/O names/shapes as the real files):
  YuNet: libfacedetection.train's YuNet (Conv_head 3x3 s2 + ConvDPUnit = 1x1 conv then 3x3
    depthwise, BN+ReLU; five Conv4layerBlocks; max-pool after blocks 0,2,3,4; TFPN neck with a
    ConvDPUnit per level, nearest 2x upsample + add; per level ConvDPUnit heads 64->1 (cls, obj,
    sigmoid), 64->4, 64->10), BN folded: 53 Conv, 15 Relu, 4 MaxPool, 2 Resize, 2 Add, 6 Sigmoid
    -- the op counts a public graph dump of face_detection_yunet_2023mar.onnx reports. Stage
    channels [[3,16,16],[16,32],[32,64],[64,64]x3] and no shared head convs give 53,104 params
    (212 KB of weights; the real file is 232,589 bytes). yunet_n.py's [16,64] first block with
    shared_stacked_convs=1 would give 59 Convs and 18 Relus, which contradicts the dump; the
    channel list is inferred from the file size, not confirmed.
  SFace: a chain of 27 Conv, 29 BatchNorm, 27 PReLU, Sub/Mul input normalisation, Dropout,
    Flatten, Gemm (op counts from a public graph dump of face_recognition_sface_2021dec.onnx; it
    reports 1024x7x7 before the flatten): MobileNetV1 (3x3 conv 32 + 13 depthwise/pointwise
    pairs up to 1024 channels) with BN+PReLU, then BN, Dropout, Flatten, FC 50176->128, BN.
    9,642,880 params + 24,192 BN statistics (real file: 38,696,353 bytes ~ 9.67M floats);
    exported with BN folded into the convs: 38,512,543 bytes (0.5% under). Not confirmed: which layers have
    stride 2 (here the stem and the dw layers before 128, 256 and 512 channels, 112->56->28->14->7;
    the last dw stays stride 1), so FLOPs (~0.6 GMAC here) may differ from the real model's.
"""

import argparse
import io
import math
import os
import sys

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OPSET = 13

ARCFACE = [(38.2946, 51.6963), (73.5318, 51.5014), (56.0252, 71.7366), (41.5493, 92.3655),
           (70.7299, 92.2041)]
OBJ = 0.95
WINDOW = 10          # cells either side summed for area/moments
HUE_K = 8.0
HUE_EPS = 1.0
STRIDES = (8, 16, 32)
HEADS = (("cls", 1), ("obj", 1), ("bbox", 4), ("kps", 10))
OUTPUT_NAMES = [h + "_%d" % s for h, _ in HEADS for s in STRIDES]


# ---------------------------------------------------------------------------------------------
# Test detector
# ---------------------------------------------------------------------------------------------

def disc_detector():
    import torch
    from torch import nn
    import torch.nn.functional as F

    class DiscDetector(nn.Module):
        def __init__(self):
            super().__init__()
            u = np.arange(8, dtype=np.float32) + 0.5
            blk = np.zeros((3, 1, 8, 8), np.float32)
            blk[0, 0] = 1.0
            blk[1, 0] = u[None, :]          # x moment (columns)
            blk[2, 0] = u[:, None]          # y moment (rows)
            n = 2 * WINDOW + 1
            d = (np.arange(n, dtype=np.float32) - WINDOW) * 8.0
            win = np.zeros((3, 3, n, n), np.float32)
            win[0, 0] = 1.0
            win[1, 1] = 1.0
            win[1, 0] = d[None, :]
            win[2, 2] = 1.0
            win[2, 0] = d[:, None]
            # a round window: cells whose offset is within WINDOW cells (80 px), so that a disc
            # >= 160 px away (its pixels >= 96 px from this centroid) never leaks in
            off = np.arange(n) - WINDOW
            win *= (off[:, None] ** 2 + off[None, :] ** 2 <= WINDOW * WINDOW).astype(np.float32)
            t = np.array(ARCFACE, np.float32)
            self.register_buffer("blk", torch.from_numpy(blk))
            self.register_buffer("win", torch.from_numpy(win))
            self.register_buffer("kx", torch.from_numpy((t[:, 0] - 56.0) / 40.0).view(1, 5, 1, 1))
            self.register_buffer("ky", torch.from_numpy((t[:, 1] - 56.0) / 40.0).view(1, 5, 1, 1))

        @staticmethod
        def flat(t, k):
            return t.permute(0, 2, 3, 1).reshape(1, -1, k)

        @staticmethod
        def inside(t):
            return (torch.clamp(4.0 * (t + 0.5), 0.0, 1.0)
                    * torch.clamp(4.0 * (8.5 - t), 0.0, 1.0))

        def forward(self, x):
            m = torch.clamp((torch.amax(x, dim=1, keepdim=True) - 96.0) / 64.0, 0.0, 1.0)
            cell = F.conv2d(m, self.blk, stride=8)
            s = F.conv2d(cell, self.win, padding=WINDOW)
            area = s[:, 0:1]
            a = area + 1e-3
            cx = s[:, 1:2] / a
            cy = s[:, 2:3] / a
            r = torch.sqrt(a / math.pi)
            gate = torch.clamp((area - 0.75 * math.pi * 64.0) / (0.25 * math.pi * 64.0), 0.0, 1.0)
            # the centroid's own cell must be bright: rejects centroids of caps of two discs
            # that a window clips, which lie on the background between them
            lit = torch.clamp((cell[:, 0:1] - 24.0) / 16.0, 0.0, 1.0)
            cls8 = self.inside(cx) * self.inside(cy) * gate * lit
            obj8 = cls8 * 0.0 + OBJ
            lw = torch.log(r * 0.25)                   # log(2r/8)
            bbox8 = torch.cat([cx * 0.125, cy * 0.125, lw, lw], dim=1)
            px = (cx + r * self.kx) * 0.125
            py = (cy + r * self.ky) * 0.125
            kps8 = torch.stack([px, py], dim=2).reshape(px.shape[0], 10, px.shape[2], px.shape[3])
            z16 = F.max_pool2d(cls8, 2) * 0.0
            z32 = F.max_pool2d(cls8, 4) * 0.0
            outs = {}
            for s_, z in ((16, z16), (32, z32)):
                outs[s_] = [self.flat(z, 1), self.flat(z, 1),
                            self.flat(torch.cat([z] * 4, dim=1), 4),
                            self.flat(torch.cat([z] * 10, dim=1), 10)]
            outs[8] = [self.flat(cls8, 1), self.flat(obj8, 1), self.flat(bbox8, 4),
                       self.flat(kps8, 10)]
            return tuple(outs[s_][h] for h in range(4) for s_ in STRIDES)

    return DiscDetector().eval()


def decode(outs, w, h, thresh=0.5, nms=0.3):
    """OpenCV FaceDetectorYNImpl::postProcess, then greedy NMS (numpy, for --check)."""
    outs = [np.asarray(o) for o in outs]
    faces = []
    for i, s in enumerate(STRIDES):
        cols, rows = w // s, h // s
        cls, obj, bbox, kps = (outs[i + 3 * j][0] for j in range(4))
        for idx in range(rows * cols):
            score = math.sqrt(min(max(cls[idx, 0], 0), 1) * min(max(obj[idx, 0], 0), 1))
            if score < thresh:
                continue
            r, c = divmod(idx, cols)
            cx, cy = (c + bbox[idx, 0]) * s, (r + bbox[idx, 1]) * s
            bw, bh = math.exp(bbox[idx, 2]) * s, math.exp(bbox[idx, 3]) * s
            lm = [((kps[idx, 2 * k] + c) * s, (kps[idx, 2 * k + 1] + r) * s) for k in range(5)]
            faces.append((score, cx - bw / 2, cy - bh / 2, bw, bh, lm))
    faces.sort(key=lambda f: -f[0])
    keep = []
    for f in faces:
        ok = True
        for g in keep:
            ix = max(0, min(f[1] + f[3], g[1] + g[3]) - max(f[1], g[1]))
            iy = max(0, min(f[2] + f[4], g[2] + g[4]) - max(f[2], g[2]))
            inter = ix * iy
            if inter / (f[3] * f[4] + g[3] * g[4] - inter) > nms:
                ok = False
                break
        if ok:
            keep.append(f)
    return keep


def draw_discs(w, h, discs, bg=(20, 30, 40)):
    """BGR float image [1,3,h,w]; discs = [(cx, cy, r, (b,g,r))], binary pixel-centre test."""
    img = np.zeros((3, h, w), np.float32)
    for c in range(3):
        img[c] = bg[c]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64) + 0.5
    for cx, cy, r, col in discs:
        inside = (xx - cx) ** 2 + (yy - cy) ** 2 <= r * r
        for c in range(3):
            img[c][inside] = col[c]
    return img[None]


# ---------------------------------------------------------------------------------------------
# Test recognizer
# ---------------------------------------------------------------------------------------------

def hue_recognizer():
    import torch
    from torch import nn

    class HueRecognizer(nn.Module):
        def __init__(self):
            super().__init__()
            basis = np.array([[2.0, -1.0, -1.0], [0.0, 1.0, -1.0]]) / np.array(
                [[math.sqrt(6.0)], [math.sqrt(2.0)]])
            theta = 2.0 * np.pi * np.arange(128) / 128.0
            dirs = np.stack([np.cos(theta), np.sin(theta)])            # [2,128]
            self.register_buffer("basis", torch.from_numpy(basis.T.astype(np.float32)))  # [3,2]
            self.register_buffer("dirs", torch.from_numpy(dirs.astype(np.float32)))

        def forward(self, data):
            c = data[:, :, 40:72, 40:72].mean(dim=(2, 3))                # [1,3] RGB
            uv = c @ self.basis                                         # [1,2]
            rho = torch.sqrt((uv * uv).sum(dim=1, keepdim=True)) + HUE_EPS
            return torch.exp(HUE_K * ((uv @ self.dirs) / rho - 1.0))

    return HueRecognizer().eval()


def hue_reference(rgb):
    c = np.asarray(rgb, np.float64)
    u = c @ np.array([2.0, -1.0, -1.0]) / math.sqrt(6.0)
    v = c @ np.array([0.0, 1.0, -1.0]) / math.sqrt(2.0)
    theta = 2.0 * np.pi * np.arange(128) / 128.0
    return np.exp(HUE_K * ((u * np.cos(theta) + v * np.sin(theta)) / (math.hypot(u, v) + HUE_EPS)
                           - 1.0))


# ---------------------------------------------------------------------------------------------
# Cost stand-ins: real architectures, random weights
# ---------------------------------------------------------------------------------------------

def yunet_standin():
    import torch
    from torch import nn
    import torch.nn.functional as F

    def dp(cin, cout, act=True):
        layers = [nn.Conv2d(cin, cout, 1), nn.Conv2d(cout, cout, 3, 1, 1, groups=cout)]
        return nn.Sequential(*(layers + [nn.ReLU()] if act else layers))

    class YuNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.head0 = nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1), nn.ReLU(), dp(16, 16))
            stages = [(16, 32), (32, 64), (64, 64), (64, 64), (64, 64)]
            self.blocks = nn.ModuleList(nn.Sequential(dp(a, a), dp(a, b)) for a, b in stages)
            self.lateral = nn.ModuleList(dp(64, 64) for _ in range(3))
            self.heads = nn.ModuleList(nn.ModuleList(dp(64, k, False) for _, k in HEADS)
                                       for _ in STRIDES)

        def forward(self, x):
            x = F.max_pool2d(self.head0(x), 2)
            feats = []
            for i, b in enumerate(self.blocks, start=1):
                x = b(x)
                if i >= 3:
                    feats.append(x)
                if i in (2, 3, 4):
                    x = F.max_pool2d(x, 2)
            for i in (2, 1):
                feats[i] = self.lateral[i](feats[i])
                feats[i - 1] = feats[i - 1] + F.interpolate(feats[i], scale_factor=2.0,
                                                            mode="nearest")
            feats[0] = self.lateral[0](feats[0])
            res = [[None] * 3 for _ in HEADS]
            for li, f in enumerate(feats):
                for hi, (name, k) in enumerate(HEADS):
                    y = self.heads[li][hi](f).permute(0, 2, 3, 1).reshape(1, -1, k)
                    res[hi][li] = torch.sigmoid(y) if name in ("cls", "obj") else y
            return tuple(t for row in res for t in row)

    return YuNet().eval()


def sface_standin():
    import torch
    from torch import nn

    class Norm(nn.Module):
        def forward(self, x):
            return (x - 127.5) * 0.0078125

    def cbp(cin, cout, k, s, g=1):
        return [nn.Conv2d(cin, cout, k, s, k // 2, groups=g, bias=False), nn.BatchNorm2d(cout),
                nn.PReLU(cout)]

    layers = [Norm()] + cbp(3, 32, 3, 2)
    cfg = [(32, 64, 1), (64, 128, 2), (128, 128, 1), (128, 256, 2), (256, 256, 1),
           (256, 512, 2)] + [(512, 512, 1)] * 5 + [(512, 1024, 1), (1024, 1024, 1)]
    for cin, cout, s in cfg:
        layers += cbp(cin, cin, 3, s, cin) + cbp(cin, cout, 1, 1)
    layers += [nn.BatchNorm2d(1024), nn.Dropout(0.4), nn.Flatten(), nn.Linear(1024 * 49, 128),
               nn.BatchNorm1d(128)]
    net = nn.Sequential(*layers)
    for mod in net.modules():
        if isinstance(mod, (nn.BatchNorm2d, nn.BatchNorm1d)):
            mod.running_mean.uniform_(-0.1, 0.1)
            mod.running_var.uniform_(0.5, 1.5)
    return net.eval()


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------

def _export(module, example, path, input_name, output_names, dynamic_axes=None, declare=None):
    import onnx
    import torch
    buf = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(module, (example,), buf, input_names=[input_name],
                          output_names=output_names, dynamic_axes=dynamic_axes,
                          opset_version=OPSET, do_constant_folding=True)
    model = onnx.load_from_string(buf.getvalue())
    if dynamic_axes:
        # torch names the static dims of dynamic Reshape outputs symbolically: pin them
        for out in model.graph.output:
            dims = out.type.tensor_type.shape.dim
            for i, d in enumerate(dims):
                if i in dynamic_axes.get(out.name, {}):
                    continue
                static = [1, None, dict(HEADS)[out.name.split("_")[0]]][i]
                d.Clear()
                d.dim_value = static
    if declare:
        # a size-independent graph that declares fixed sizes, as the real 2023mar file does
        for v in list(model.graph.input) + list(model.graph.output):
            for i, d in enumerate(v.type.tensor_type.shape.dim):
                if d.HasField("dim_param"):
                    d.Clear()
                    d.dim_value = declare[v.name][i]
    model.producer_name = "tagsight-make_face_models"
    model.producer_version = "1"
    onnx.checker.check_model(model)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
    return os.path.getsize(path)


def export_detector(path, kind):
    """kind: "dynamic" (symbolic H/W), "fixed" (declares 640x640 but, like the real 2023mar
    file, runs at any size), "tied" (a graph that only runs at 640x640)."""
    import torch
    axes, declare = None, None
    if kind in ("dynamic", "fixed"):
        axes = {"input": {2: "height", 3: "width"}}
        for name in OUTPUT_NAMES:
            axes[name] = {1: "anchors_" + name.split("_")[1]}
    if kind == "fixed":
        declare = {"input": [1, 3, 640, 640]}
        for name in OUTPUT_NAMES:
            s = int(name.split("_")[1])
            declare[name] = [1, (640 // s) ** 2, dict(HEADS)[name.split("_")[0]]]
    return _export(disc_detector(), torch.zeros(1, 3, 640, 640), path, "input", OUTPUT_NAMES,
                   axes, declare)


def export_recognizer(path):
    import torch
    return _export(hue_recognizer(), torch.zeros(1, 3, 112, 112), path, "data", ["fc1"])


def make_all():
    tm = os.path.join(REPO, "models", "testmodels")
    written = [
        (os.path.join(tm, "faces", "face_detection_yunet", "face_detection_yunet_2023mar.onnx"),
         lambda p: export_detector(p, "fixed")),
        (os.path.join(tm, "faces", "face_recognition_sface", "face_recognition_sface_2021dec.onnx"),
         export_recognizer),
        (os.path.join(tm, "faces-dynamic", "face_detection_yunet",
                      "face_detection_yunet_2026may.onnx"), lambda p: export_detector(p, "dynamic")),
        (os.path.join(tm, "faces-dynamic", "face_recognition_sface",
                      "face_recognition_sface_2021dec.onnx"), export_recognizer),
        (os.path.join(tm, "faces-tied", "face_detection_yunet", "face_detection_yunet_tied.onnx"),
         lambda p: export_detector(p, "tied")),
    ]
    for path, fn in written:
        print("%8d  %s" % (fn(path), os.path.relpath(path, REPO)))


def make_standin(out):
    import torch
    torch.manual_seed(0)
    for name, net, shape, inp, outs in (
            ("face_detection_yunet/face_detection_yunet_2023mar.onnx", yunet_standin(),
             (1, 3, 640, 640), "input", OUTPUT_NAMES),
            ("face_recognition_sface/face_recognition_sface_2021dec.onnx", sface_standin(),
             (1, 3, 112, 112), "data", ["fc1"])):
        params = sum(p.numel() for p in net.parameters())
        bufs = sum(b.numel() for n, b in net.named_buffers() if "num_batches" not in n)
        size = _export(net, torch.rand(*shape) * 255.0, os.path.join(out, name), inp, outs)
        print("%-62s params %9d (+%d BN stats)  file %10d bytes" % (name, params, bufs, size))
    print("real: yunet 2023mar 232589 bytes; sface 2021dec 38696353 bytes (~9.67M floats)")


# ---------------------------------------------------------------------------------------------
# Behaviour check (torch modules; ONNX Runtime is checked from Go)
# ---------------------------------------------------------------------------------------------

def check():
    import torch
    det = disc_detector()
    worst, cases = 0.0, 0
    for r in (20.0, 27.5, 33.0, 41.0, 50.0, 60.0):
        for cx, cy in ((100.0, 100.0), (100.5, 300.5), (320.0, 320.5), (451.5, 130.0),
                       (555.5, 560.0), (250.0, 517.5)):
            img = draw_discs(640, 640, [(cx, cy, r, (255, 255, 255))])
            with torch.no_grad():
                outs = [o.numpy() for o in det(torch.from_numpy(img))]
            found = decode(outs, 640, 640)
            assert len(found) == 1, (r, cx, cy, len(found))
            _, x1, y1, bw, bh, lm = found[0]
            err = max(abs(x1 - (cx - r)), abs(y1 - (cy - r)), abs(x1 + bw - (cx + r)),
                      abs(y1 + bh - (cy + r)))
            for k, (tx, ty) in enumerate(ARCFACE):
                ex, ey = cx + r * (tx - 56) / 40, cy + r * (ty - 56) / 40
                err = max(err, abs(lm[k][0] - ex), abs(lm[k][1] - ey))
            worst = max(worst, err)
            cases += 1
    print("detector: %d single clean discs r 20..60, integer/half centres: max box/landmark "
          "error %.3f px" % (cases, worst))
    rng = np.random.RandomState(1)
    multi = [(120.0, 110.0, 40.0, (0, 0, 255)), (330.0, 140.0, 12.0, (255, 255, 0)),
             (520.0, 120.0, 64.0, (0, 255, 0)), (150.0, 400.0, 25.0, (255, 0, 255)),
             (400.0, 360.0, 55.5, (200, 200, 200)), (560.0, 560.0, 30.0, (0, 128, 255))]
    img = draw_discs(640, 640, multi)
    noisy = np.clip(img + rng.uniform(-15, 15, img.shape), 0, 255).astype(np.float32)
    for label, im in (("clean", img), ("noise +-15", noisy)):
        with torch.no_grad():
            found = decode([o.numpy() for o in det(torch.from_numpy(im))], 640, 640)
        errs = []
        for cx, cy, r, _ in multi:
            best = min(found, key=lambda f: (f[1] + f[3] / 2 - cx) ** 2 + (f[2] + f[4] / 2 - cy) ** 2)
            errs.append(max(abs(best[1] - (cx - r)), abs(best[2] - (cy - r)),
                            abs(best[3] - 2 * r), abs(best[4] - 2 * r)))
        print("detector: %d discs (%s): %d detections, max error %.3f px, scores %s"
              % (len(multi), label, len(found), max(errs),
                 sorted(set("%.4f" % f[0] for f in found))))
    bad = 0
    for trial in range(40):
        discs = []
        while len(discs) < 8:
            r = rng.uniform(10, 64)
            cx, cy = rng.uniform(r, 640 - r), rng.uniform(r, 640 - r)
            if all(math.hypot(cx - d[0], cy - d[1]) >= 160 for d in discs):
                discs.append((cx, cy, r, tuple(rng.randint(160, 256, 3))))
            if rng.rand() < 0.02:
                break
        with torch.no_grad():
            found = decode([o.numpy() for o in det(torch.from_numpy(
                draw_discs(640, 640, discs)))], 640, 640)
        if len(found) != len(discs):
            bad += 1
    print("detector: 40 random layouts (r 10..64, >= 160 px apart): %d with a wrong count" % bad)
    for w, h in ((320, 224), (96, 640)):
        img = draw_discs(w, h, [(w / 2, h / 2, 30.0, (255, 255, 255))])
        with torch.no_grad():
            outs = [o.numpy() for o in det(torch.from_numpy(img))]
        shapes = [o.shape for o in outs]
        found = decode(outs, w, h)
        print("detector: %dx%d input: shapes %s ... %s, %d detection(s), box %s"
              % (w, h, shapes[0], shapes[-1], len(found),
                 ["%.2f" % v for v in found[0][1:5]]))

    rec = hue_recognizer()
    names = ["red", "yellow", "green", "cyan", "blue", "magenta"]
    cols = [(255, 0, 0), (255, 255, 0), (0, 255, 0), (0, 255, 255), (0, 0, 255), (255, 0, 255)]
    embs = []
    for col in cols:
        crop = np.zeros((1, 3, 112, 112), np.float32)
        for c in range(3):
            crop[0, c] = col[c]
        with torch.no_grad():
            e = rec(torch.from_numpy(crop)).numpy()[0].astype(np.float64)
        assert np.allclose(e, hue_reference(col), atol=1e-5)
        embs.append(e / np.linalg.norm(e))
    print("recognizer cosine (L2-normalised fc1):")
    print("| | " + " | ".join(names) + " |")
    print("|---" * (len(names) + 1) + "|")
    for i, n in enumerate(names):
        print("| %s | " % n + " | ".join("%.4f" % (embs[i] @ embs[j]) for j in range(6)) + " |")
    worst = 1.0
    for col, e in zip(cols, embs):
        for level in (8.0,):
            crop = np.zeros((1, 3, 112, 112), np.float32)
            for c in range(3):
                crop[0, c] = col[c] * 0.8 + 20
            crop = np.clip(crop + rng.uniform(-level, level, crop.shape), 0, 255).astype(np.float32)
            with torch.no_grad():
                f = rec(torch.from_numpy(crop)).numpy()[0].astype(np.float64)
            worst = min(worst, e @ (f / np.linalg.norm(f)))
    grey = rec(torch.full((1, 3, 112, 112), 128.0)).detach().numpy()[0]
    print("recognizer: darkened colour + uniform noise +-8 vs pure: min cosine %.5f; grey crop "
          "fc1 spread %.2e (flat)" % (worst, grey.max() - grey.min()))
    for a in (30, 45, 60, 90):
        v1 = hue_reference((255, 0, 0))
        t = math.radians(a)
        # a colour at hue a degrees, same chroma
        u, v = math.cos(t), math.sin(t)
        rgb = np.array([0, 0, 0]) + 100 * (u * np.array([2, -1, -1]) / math.sqrt(6)
                                           + v * np.array([0, 1, -1]) / math.sqrt(2)) + 128
        v2 = hue_reference(rgb)
        print("recognizer: hue difference %2d deg -> cosine %.4f"
              % (a, v1 @ v2 / np.linalg.norm(v1) / np.linalg.norm(v2)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", nargs="?", help="output folder (with --standin)")
    ap.add_argument("--all", action="store_true", help="regenerate the committed test models")
    ap.add_argument("--check", action="store_true", help="print the behaviour checks")
    ap.add_argument("--standin", action="store_true",
                    help="real architectures with random weights, into OUT")
    a = ap.parse_args()
    if a.all:
        make_all()
    if a.check:
        check()
    if a.standin:
        if not a.out:
            ap.error("--standin needs an output folder")
        make_standin(a.out)
    if not (a.all or a.check or a.standin):
        ap.error("give --all, --check or OUT --standin")


if __name__ == "__main__":
    main()
