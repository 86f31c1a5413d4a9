/*
 * Decodes the part of a JPEG stream that a read covers with libjpeg(-turbo)'s own API: jpeg_crop_scanline for
 * the columns, jpeg_skip_scanlines for the rows above (entropy decoding only), an early abort for the rows
 * below. TurboJPEG 2.1 (Debian 12) cannot, and libjpeg reports errors by longjmp, which .NET code cannot take:
 * hence this small shim. Built by pathology/Pathology.csproj (cc, libjpeg-dev); JpegPartDecoder.cs binds it.
 * What each kind of part costs against a whole tile: bench/jpeg-parts.sh.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

typedef struct {
  struct jpeg_decompress_struct cinfo;
  struct jpeg_error_mgr pub;
  jmp_buf jump;
  int warned;
  char message[JMSG_LENGTH_MAX];
  unsigned char *aside; /* CHUNK rows decoded aside, for parts narrower than the image */
  size_t aside_size;
} opath_jpeg;

static void on_error(j_common_ptr cinfo) {
  opath_jpeg *d = (opath_jpeg *)cinfo->client_data;
  (*cinfo->err->format_message)(cinfo, d->message);
  longjmp(d->jump, 1);
}

/* A corrupt-data warning fails the decode, as tjDecompress2 of TurboJPEG 2.1 reports it (-1): the reader then
   declines the read and OpenSlide answers, the same as for a whole tile. */
static void on_message(j_common_ptr cinfo, int level) {
  opath_jpeg *d = (opath_jpeg *)cinfo->client_data;
  if (level < 0 && !d->warned) {
    d->warned = 1;
    (*cinfo->err->format_message)(cinfo, d->message);
  }
}

static int create(opath_jpeg *d) {
  if (setjmp(d->jump)) return -1;
  jpeg_create_decompress(&d->cinfo);
  return 0;
}

opath_jpeg *opath_jpeg_create(void) {
  opath_jpeg *d = calloc(1, sizeof(opath_jpeg));
  if (d == NULL) return NULL;
  d->cinfo.err = jpeg_std_error(&d->pub);
  d->pub.error_exit = on_error;
  d->pub.emit_message = on_message;
  d->cinfo.client_data = d;
  if (create(d) != 0) {
    free(d);
    return NULL;
  }
  return d;
}

void opath_jpeg_destroy(opath_jpeg *d) {
  if (d == NULL) return;
  jpeg_destroy_decompress(&d->cinfo);
  free(d->aside);
  free(d);
}

const char *opath_jpeg_error(opath_jpeg *d) { return d->message; }

/*
 * Decodes the w x h pixels at (x, y) of a width x height stream whose components libjpeg takes for
 * colour_space (JCS_RGB or JCS_YCbCr) to RGB at dst, rows pitch bytes apart, 16 rows at a time, straight into
 * dst where the part spans the width. 0 on success, -1 with opath_jpeg_error. Pixels equal a whole decode's.
 */
int opath_jpeg_decode_part(opath_jpeg *d, const unsigned char *jpeg, unsigned long size, int width, int height,
                           int colour_space, int x, int y, int w, int h, unsigned char *dst, int pitch) {
  enum { CHUNK = 16 };
  struct jpeg_decompress_struct *cinfo = &d->cinfo;
  d->warned = 0;
  d->message[0] = 0;
  if (setjmp(d->jump)) {
    jpeg_abort_decompress(cinfo);
    return -1;
  }
  if (x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > width || y + h > height) {
    snprintf(d->message, sizeof d->message, "part %dx%d at (%d, %d) is outside the %dx%d image", w, h, x, y, width, height);
    return -1;
  }
  jpeg_mem_src(cinfo, jpeg, size);
  jpeg_read_header(cinfo, TRUE);
  if ((int)cinfo->image_width != width || (int)cinfo->image_height != height || (int)cinfo->jpeg_color_space != colour_space) {
    snprintf(d->message, sizeof d->message, "a %ux%u stream of colour space %d, not %dx%d of %d",
             cinfo->image_width, cinfo->image_height, (int)cinfo->jpeg_color_space, width, height, colour_space);
    jpeg_abort_decompress(cinfo);
    return -1;
  }
  cinfo->out_color_space = JCS_RGB;
  jpeg_start_decompress(cinfo);
  /* Columns: cropped to the part widened by an iMCU each side, because fancy upsampling treats a crop's own edges
     as the image's and would change the pixels there. */
  int imcu = cinfo->max_h_samp_factor * DCTSIZE;
  JDIMENSION left = (JDIMENSION)(x > imcu ? x - imcu : 0);
  JDIMENSION right = (JDIMENSION)(x + w + imcu < width ? x + w + imcu : width);
  JDIMENSION crop_width = right - left;
  if (left > 0 || right < (JDIMENSION)width) jpeg_crop_scanline(cinfo, &left, &crop_width);

  /* Rows decoded aside start 16 bytes past a 32-byte boundary: libjpeg-turbo's SIMD colour conversion writes rows
     aligned to 32 bytes with non-temporal stores, and copying the part out of them then missed the cache (a full-row
     part cost 1.4x a whole tile decoded in place; measured on AMD EPYC). */
  size_t row_size = (size_t)cinfo->output_width * 3;
  size_t stride = (row_size + 31) / 32 * 32 + 32; /* every row at 16 past a boundary */
  if (stride * CHUNK > d->aside_size) {
    free(d->aside);
    d->aside = NULL;
    d->aside_size = 0;
    if (posix_memalign((void **)&d->aside, 64, stride * CHUNK) != 0) {
      d->aside = NULL;
      snprintf(d->message, sizeof d->message, "out of memory for %d rows of %zu bytes", CHUNK, row_size);
      jpeg_abort_decompress(cinfo);
      return -1;
    }
    d->aside_size = stride * CHUNK;
  }
  if (y > 0) jpeg_skip_scanlines(cinfo, (JDIMENSION)y);
  int direct = x == 0 && w == width;
  size_t offset = (size_t)(x - (int)left) * 3;
  JSAMPROW rows[CHUNK];
  for (int done = 0; done < h;) {
    int want = h - done < CHUNK ? h - done : CHUNK;
    for (int r = 0; r < want; r++) rows[r] = direct ? dst + (size_t)(done + r) * pitch : d->aside + 16 + (size_t)r * stride;
    JDIMENSION n = jpeg_read_scanlines(cinfo, rows, (JDIMENSION)want);
    if (n == 0) {
      snprintf(d->message, sizeof d->message, "stream ended at row %d", y + done);
      jpeg_abort_decompress(cinfo);
      return -1;
    }
    if (!direct)
      for (JDIMENSION r = 0; r < n; r++) memcpy(dst + (size_t)(done + (int)r) * pitch, rows[r] + offset, (size_t)w * 3);
    done += (int)n;
  }
  int warned = d->warned;
  jpeg_abort_decompress(cinfo); /* rows below the part are never decoded */
  return warned ? -1 : 0;
}
