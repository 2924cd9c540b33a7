package io.bolmo4j.kernel.display;

import javax.imageio.ImageIO;
import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@link RenderedImage}s (e.g. a {@code BufferedImage}) as {@code image/png}. */
final class ImageRenderer implements DisplayRenderer<RenderedImage> {
    @Override
    public Class<RenderedImage> type() {
        return RenderedImage.class;
    }

    @Override
    public Map<String, Object> render(RenderedImage image) {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("image/png", Base64.getEncoder().encodeToString(png.toByteArray()));
        out.put("text/plain", "image " + image.getWidth() + "x" + image.getHeight());
        return out;
    }
}
