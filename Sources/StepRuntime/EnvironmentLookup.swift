extension Dictionary where Key == String, Value == String {
    /// A setting from the environment, nil when unset or empty: an empty variable (what a
    /// ConfigMap key left blank gives) means "not set", the same for every step.
    public func setting(_ name: String) -> String? {
        guard let value = self[name], !value.isEmpty else { return nil }
        return value
    }
}
