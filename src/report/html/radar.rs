//! The agent page's radar chart of the six score components, as inline SVG.

use std::fmt::Write;

use crate::aggregate::ScoreComponents;
use crate::report::labels;

/// An inline SVG radar chart of the six score components: the agent's shape filled, the
/// team's a dashed outline drawn over it, so neither hides the other. A component without data
/// gets no vertex: the shape skips its axis, the axis is dashed and its label says 无数据 —
/// never a point at the centre, which would read as 0. Labels sit beyond the outer ring,
/// anchored by the side they are on (start on the right, end on the left, middle at top and
/// bottom), so none overlaps a shape.
pub(super) fn radar(mine: &ScoreComponents, team: &ScoreComponents) -> String {
    const CX: f64 = 210.0;
    const CY: f64 = 150.0;
    const RADIUS: f64 = 100.0;
    /// Labels start this far out, past the outer ring (value 100).
    const LABEL_AT: f64 = 112.0;
    let angle =
        |axis: usize| std::f64::consts::TAU * axis as f64 / 6.0 - std::f64::consts::FRAC_PI_2;
    let point = |axis: usize, value: f64| {
        let r = RADIUS * value.clamp(0.0, 100.0) / 100.0;
        (CX + r * angle(axis).cos(), CY + r * angle(axis).sin())
    };
    let points = |values: &[Option<f64>]| -> Vec<(f64, f64)> {
        values.iter().enumerate().filter_map(|(axis, v)| v.map(|v| point(axis, v))).collect()
    };
    let joined = |points: &[(f64, f64)]| -> String {
        points.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect::<Vec<_>>().join(" ")
    };
    let mut svg = String::from(
        "<svg width=\"420\" height=\"300\" viewBox=\"0 0 420 300\" role=\"img\" \
         aria-label=\"综合得分构成\" style=\"float:right;margin-left:1rem;max-width:100%;height:auto\">",
    );
    for ring in [25.0, 50.0, 75.0, 100.0] {
        let _ = write!(
            svg,
            "<polygon points=\"{}\" fill=\"none\" stroke=\"#ddd\"/>",
            joined(&points(&[Some(ring); 6]))
        );
    }
    let values = mine.values();
    for (axis, label) in labels::COMPONENTS.iter().enumerate() {
        let (x, y) = point(axis, 100.0);
        let (cos, sin) = (angle(axis).cos(), angle(axis).sin());
        let (lx, ly) = (CX + LABEL_AT * cos, CY + LABEL_AT * sin);
        let anchor = match cos {
            c if c > 0.1 => "start",
            c if c < -0.1 => "end",
            _ => "middle",
        };
        // Above the top vertex, below the bottom one, centred beside the others.
        let dy = match sin {
            s if s < -0.9 => "0",
            s if s > 0.9 => "0.8em",
            _ => "0.35em",
        };
        let (stroke, value, fill) = match values[axis] {
            Some(v) => ("stroke=\"#ddd\"", format!("{v:.0}"), ""),
            None => (
                "stroke=\"#bbb\" stroke-dasharray=\"2 3\"",
                labels::NO_DATA.to_string(),
                " fill=\"#888\"",
            ),
        };
        let _ = write!(
            svg,
            "<line x1=\"{CX}\" y1=\"{CY}\" x2=\"{x:.1}\" y2=\"{y:.1}\" {stroke}/>\
             <text x=\"{lx:.1}\" y=\"{ly:.1}\" dy=\"{dy}\" text-anchor=\"{anchor}\"{fill}>{label} {value}</text>"
        );
    }
    let mine_points = points(&values);
    if !mine_points.is_empty() {
        let _ = write!(
            svg,
            "<polygon class=\"mine\" points=\"{}\" fill=\"#42a5f5\" fill-opacity=\"0.3\" \
             stroke=\"#1e88e5\"/>",
            joined(&mine_points)
        );
    }
    for (x, y) in &mine_points {
        let _ = write!(svg, "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"#1e88e5\"/>");
    }
    let team_points = points(&team.values());
    if !team_points.is_empty() {
        let _ = write!(
            svg,
            "<polygon class=\"team\" points=\"{}\" fill=\"none\" stroke=\"#455a64\" \
             stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>",
            joined(&team_points)
        );
    }
    svg.push_str("<text x=\"8\" y=\"292\">蓝: 本人 灰虚线: 团队 (无数据的分项不画点)</text></svg>");
    svg
}
