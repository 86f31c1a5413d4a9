/*
 * Time to decode parts of JPEG tiles: tjDecompress2 of the whole tile against libopath_jpeg's parts (columns
 * cropped to the part widened by an iMCU, rows above skipped, rows below left), and a bare jpeg_crop_scanline
 * read one row at a time. Built and run by jpeg-parts.sh.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <jpeglib.h>

typedef void *tjhandle;
tjhandle tjInitDecompress(void);
int tjDecompress2(tjhandle, const unsigned char *, unsigned long, unsigned char *, int, int, int, int, int);
typedef struct opath_jpeg opath_jpeg;
opath_jpeg *opath_jpeg_create(void);
int opath_jpeg_decode_part(opath_jpeg *, const unsigned char *, unsigned long, int, int, int, int, int, int, int, unsigned char *, int);

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

/* libjpeg's crop of columns [x, x + w) (moved left to an iMCU boundary), all rows, into a reused row. */
static void crop(struct jpeg_decompress_struct *cinfo, const unsigned char *jpeg, unsigned long size, int x, int w, unsigned char *row) {
  jpeg_mem_src(cinfo, jpeg, size);
  jpeg_read_header(cinfo, TRUE);
  cinfo->out_color_space = JCS_RGB;
  jpeg_start_decompress(cinfo);
  JDIMENSION left = (JDIMENSION)x, width = (JDIMENSION)w;
  jpeg_crop_scanline(cinfo, &left, &width);
  while (cinfo->output_scanline < cinfo->output_height) jpeg_read_scanlines(cinfo, &row, 1);
  jpeg_finish_decompress(cinfo);
}

int main(int argc, char **argv) {
  enum { SIDE = 256, ROUNDS = 200 };
  int files = argc - 1;
  unsigned char **jpeg = malloc(sizeof *jpeg * files);
  unsigned long *size = malloc(sizeof *size * files);
  for (int f = 0; f < files; f++) {
    FILE *in = fopen(argv[f + 1], "rb");
    fseek(in, 0, SEEK_END);
    size[f] = (unsigned long)ftell(in);
    fseek(in, 0, SEEK_SET);
    jpeg[f] = malloc(size[f]);
    if (fread(jpeg[f], 1, size[f], in) != size[f]) return 1;
    fclose(in);
  }
  unsigned char *out;
  if (posix_memalign((void **)&out, 64, SIDE * SIDE * 3 + 64)) return 1;
  out += 16; /* ordinary stores: see ReadBenchmark.Decode */
  tjhandle tj = tjInitDecompress();
  opath_jpeg *part = opath_jpeg_create();
  struct jpeg_decompress_struct cinfo;
  struct jpeg_error_mgr err;
  cinfo.err = jpeg_std_error(&err);
  jpeg_create_decompress(&cinfo);
  unsigned char row[SIDE * 3 + 64];

  /* {x, y, w, h}: the whole tile in place, the top or bottom half, the left or right half, quarters, the last row. */
  static const int parts[][4] = {{0, 0, 256, 256}, {0, 0, 256, 128}, {0, 128, 256, 128}, {0, 0, 128, 256}, {128, 0, 128, 256},
                                 {0, 0, 128, 128}, {128, 128, 128, 128}, {0, 255, 256, 1}};
  printf("| decode (%d tiles of %dx%d, %d rounds) | us per tile |\n|---|---|\n", files, SIDE, SIDE, ROUNDS);
  double t = now();
  for (int r = 0; r < ROUNDS; r++)
    for (int f = 0; f < files; f++) tjDecompress2(tj, jpeg[f], size[f], out, SIDE, SIDE * 3, SIDE, 0, 0);
  printf("| tjDecompress2, whole tile (16 bytes past a 32-byte boundary) | %.1f |\n", (now() - t) / ROUNDS / files * 1e6);
  /* The same at a 32-byte boundary, where libjpeg-turbo's SIMD writes rows with non-temporal stores. */
  t = now();
  for (int r = 0; r < ROUNDS; r++)
    for (int f = 0; f < files; f++) tjDecompress2(tj, jpeg[f], size[f], out - 16, SIDE, SIDE * 3, SIDE, 0, 0);
  printf("| tjDecompress2, whole tile (at a 32-byte boundary) | %.1f |\n", (now() - t) / ROUNDS / files * 1e6);
  for (size_t p = 0; p < sizeof parts / sizeof parts[0]; p++) {
    const int *q = parts[p];
    t = now();
    for (int r = 0; r < ROUNDS; r++)
      for (int f = 0; f < files; f++)
        if (opath_jpeg_decode_part(part, jpeg[f], size[f], SIDE, SIDE, JCS_YCbCr, q[0], q[1], q[2], q[3], out, SIDE * 3)) return 2;
    printf("| libopath_jpeg, %dx%d at (%d, %d) | %.1f |\n", q[2], q[3], q[0], q[1], (now() - t) / ROUNDS / files * 1e6);
  }
  static const int crops[][2] = {{0, 128}, {128, 128}, {0, 16}};
  for (size_t c = 0; c < sizeof crops / sizeof crops[0]; c++) {
    t = now();
    for (int r = 0; r < ROUNDS; r++)
      for (int f = 0; f < files; f++) crop(&cinfo, jpeg[f], size[f], crops[c][0], crops[c][1], row);
    printf("| jpeg_crop_scanline, columns %d to %d, all rows | %.1f |\n", crops[c][0], crops[c][0] + crops[c][1] - 1, (now() - t) / ROUNDS / files * 1e6);
  }
  return 0;
}
