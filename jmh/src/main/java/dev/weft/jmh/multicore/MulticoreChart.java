package dev.weft.jmh.multicore;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The chart of {@code bench multicore} as a plain SVG document (no script, no library): two panels,
 * throughput (requests or round trips per second) above and server CPU per request below, each with
 * one group of bars per workload ("HTTP C=100", "echo C=1000" ...) and one bar per server and
 * thread count in every group, in the order the rows come, a legend, and each bar's value written
 * on it and in its {@code <title>}. Every bar is a {@code <rect class="bar">} carrying {@code
 * data-series}, {@code data-group} and {@code data-value}. Any thread; no state.
 */
public final class MulticoreChart {
    /** One measured bar pair: {@code series} (e.g. "weft 2 hubs") in {@code group} (e.g. "HTTP C=100"). */
    public record Bar(String group, String series, String family, double perSecond, double cpuMicros) {
    }

    private static final int BAR = 18;
    private static final int GROUP_GAP = 28;
    private static final int LEFT = 70;
    private static final int PANEL = 210;
    private static final Map<String, String[]> COLOURS = Map.of(
            "weft", new String[] {"#9ecae1", "#2171b5"},
            "netty", new String[] {"#fdae6b", "#d94801"},
            "go", new String[] {"#a1d99b", "#238b45"},
            "jdk", new String[] {"#bcbddc", "#6a51a3"});

    private MulticoreChart() {
    }

    /**
     * The SVG text for {@code bars} under {@code title} and {@code subtitle} (the machine and the run).
     *
     * @throws IllegalArgumentException if {@code bars} is empty
     */
    public static String svg(String title, String subtitle, List<Bar> bars) {
        if (bars.isEmpty()) {
            throw new IllegalArgumentException("no bars to draw");
        }
        LinkedHashSet<String> groups = new LinkedHashSet<>();
        LinkedHashMap<String, String> seriesFamily = new LinkedHashMap<>();
        for (Bar b : bars) {
            groups.add(b.group());
            seriesFamily.putIfAbsent(b.series(), b.family());
        }
        List<String> series = new ArrayList<>(seriesFamily.keySet());
        Map<String, String> colour = colours(seriesFamily);
        int groupWidth = series.size() * BAR + GROUP_GAP;
        int width = Math.max(LEFT + groups.size() * groupWidth + 20, 640);
        int legendRows = (series.size() + 3) / 4;
        List<String> subtitleLines = wrap(subtitle, (width - LEFT) / 6);
        int top = 50 + 15 * subtitleLines.size();
        int height = top + 2 * (PANEL + 60) + legendRows * 20 + 10;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>%n"
                + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                + "font-family=\"sans-serif\" font-size=\"11\">%n", width, height, width, height));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        sb.append(text(LEFT, 20, "start", "font-size=\"14\" font-weight=\"bold\"", title));
        for (int i = 0; i < subtitleLines.size(); i++) {
            sb.append(text(LEFT, 38 + 15 * i, "start", "fill=\"#555\"", subtitleLines.get(i)));
        }
        panel(sb, top, "requests (round trips) per second, higher is better", bars, groups, series, colour, groupWidth, true);
        panel(sb, top + PANEL + 60, "server CPU µs per request (round trip), lower is better", bars, groups, series, colour,
                groupWidth, false);
        int y = top + 2 * (PANEL + 60) - 10;
        for (int i = 0; i < series.size(); i++) {
            int x = LEFT + (i % 4) * 150;
            int yy = y + (i / 4) * 20;
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>%n",
                    x, yy, colour.get(series.get(i))));
            sb.append(text(x + 16, yy + 10, "start", "", series.get(i)));
        }
        return sb.append("</svg>\n").toString();
    }

    private static void panel(StringBuilder sb, int top, String caption, List<Bar> bars, LinkedHashSet<String> groups,
                              List<String> series, Map<String, String> colour, int groupWidth, boolean throughput) {
        double max = 0;
        for (Bar b : bars) {
            max = Math.max(max, throughput ? b.perSecond() : b.cpuMicros());
        }
        double scaleMax = niceCeiling(max);
        int bottom = top + PANEL;
        sb.append(text(LEFT, top + 4, "start", "font-weight=\"bold\"", caption));
        for (int t = 0; t <= 4; t++) {
            double v = scaleMax * t / 4;
            int y = bottom - (int) Math.round((PANEL - 30) * (double) t / 4);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>%n",
                    LEFT, y, LEFT + groups.size() * groupWidth, y));
            sb.append(text(LEFT - 6, y + 4, "end", "fill=\"#555\"", format(v, throughput)));
        }
        int g = 0;
        for (String group : groups) {
            int x0 = LEFT + g * groupWidth + GROUP_GAP / 2;
            for (Bar b : bars) {
                if (!b.group().equals(group)) {
                    continue;
                }
                double v = throughput ? b.perSecond() : b.cpuMicros();
                int h = scaleMax <= 0 ? 0 : (int) Math.round((PANEL - 30) * v / scaleMax);
                int x = x0 + series.indexOf(b.series()) * BAR;
                String label = b.series() + " · " + group + ": " + format(v, throughput) + (throughput ? "/s" : " µs");
                sb.append(String.format(Locale.ROOT, "<rect class=\"bar\" data-series=\"%s\" data-group=\"%s\" data-value=\"%.3f\" "
                                + "x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>%s</title></rect>%n",
                        escape(b.series()), escape(group), v, x, bottom - h, BAR - 2, h, colour.get(b.series()), escape(label)));
                sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"9\" transform=\"rotate(-90 %d %d)\">%s</text>%n",
                        x + BAR / 2 + 3, bottom - h - 3, x + BAR / 2 + 3, bottom - h - 3, escape(format(v, throughput))));
            }
            sb.append(text(x0 + series.size() * BAR / 2, bottom + 16, "middle", "", group));
            g++;
        }
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n",
                LEFT, bottom, LEFT + groups.size() * groupWidth, bottom));
    }

    /** Each series the colour of its family: the first series of a family light, the next dark. */
    private static Map<String, String> colours(Map<String, String> seriesFamily) {
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : seriesFamily.entrySet()) {
            String[] pair = COLOURS.getOrDefault(e.getValue(), new String[] {"#bdbdbd", "#525252"});
            int n = seen.merge(e.getValue(), 1, Integer::sum);
            out.put(e.getKey(), pair[Math.min(n, 2) - 1]);
        }
        return out;
    }

    /** {@code text} in lines of at most {@code columns} characters, broken at spaces. */
    static List<String> wrap(String text, int columns) {
        List<String> lines = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String word : text.split(" ")) {
            if (!current.isEmpty() && current.length() + 1 + word.length() > columns) {
                lines.add(current.toString());
                current.setLength(0);
            }
            current.append(current.isEmpty() ? "" : " ").append(word);
        }
        lines.add(current.toString());
        return lines;
    }

    /** The smallest 1, 2 or 5 times a power of ten at or above {@code v} (1 for 0). */
    static double niceCeiling(double v) {
        if (v <= 0) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String format(double v, boolean throughput) {
        if (throughput) {
            return v >= 1000 ? String.format(Locale.ROOT, "%.1fk", v / 1000) : String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String text(int x, int y, String anchor, String attributes, String content) {
        return String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\" %s>%s</text>%n", x, y, anchor, attributes,
                escape(content));
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
