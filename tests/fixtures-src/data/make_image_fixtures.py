#!/usr/bin/python3
"""Reference fixtures for ReLICv2.Core's image decoding (tests/ReLICv2.Core.Tests/ImageIO).

Writes small JPEG and PNG files with PIL and, for each, the pixels PIL decodes from that file, so the C# decoders
(libjpeg-turbo through TurboJPEG, libspng) are compared with an independent decoder. Run once from the repository
root:  /usr/bin/python3 tests/fixtures-src/data/make_image_fixtures.py
"""
import base64
import json
import os

from PIL import Image

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "ReLICv2.Core.Tests", "Fixtures", "data")


def pattern(w, h):
    """A deterministic RGB test card: gradients, a checkerboard and a hard-edged block (exercises DCT ringing)."""
    img = Image.new("RGB", (w, h))
    px = img.load()
    for y in range(h):
        for x in range(w):
            r = (x * 255) // max(w - 1, 1)
            g = (y * 255) // max(h - 1, 1)
            b = 230 if (x // 3 + y // 3) % 2 == 0 else 25
            if 5 <= x < 11 and 4 <= y < 9:
                r, g, b = 250, 20, 120
            px[x, y] = (r, g, b)
    return img


def save(name, img, expected_mode, **kwargs):
    path = os.path.join(OUT, name)
    img.save(path, **kwargs)
    decoded = Image.open(path).convert(expected_mode)
    channels = {"L": 1, "RGB": 3, "RGBA": 4}[expected_mode]
    meta = {
        "file": name,
        "width": decoded.width,
        "height": decoded.height,
        "channels": channels,
        "pixels": base64.b64encode(decoded.tobytes()).decode("ascii"),
    }
    with open(path + ".json", "w") as f:
        json.dump(meta, f, indent=1)


def main():
    os.makedirs(OUT, exist_ok=True)
    rgb = pattern(20, 14)
    save("rgb444_q100.jpg", rgb, "RGB", quality=100, subsampling=0)
    save("rgb420_q90.jpg", rgb, "RGB", quality=90, subsampling=2)
    save("gray_q100.jpg", rgb.convert("L"), "L", quality=100)
    save("rgb.png", rgb, "RGB")
    save("gray.png", rgb.convert("L"), "L")
    pal = rgb.quantize(colors=8)
    pal.info["transparency"] = 0
    save("palette_trns.png", pal, "RGBA", transparency=0)
    rgba = rgb.copy()
    rgba.putalpha(Image.linear_gradient("L").resize(rgb.size))
    save("rgba.png", rgba, "RGBA")


if __name__ == "__main__":
    main()
