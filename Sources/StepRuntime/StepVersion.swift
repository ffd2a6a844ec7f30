/// The version every step reports with `--version` and in its User-Agent.
public enum StepVersion {
    public static let current = "0.1.0"
}
