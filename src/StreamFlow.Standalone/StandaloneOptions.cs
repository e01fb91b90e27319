namespace StreamFlow.Standalone;

internal sealed record StandaloneOptions(int Port, int SidecarPort, long MaxRequestBodyBytes, bool MigrateOnStartup, string[] AllowedOrigins)
{
    public static StandaloneOptions From(IConfiguration configuration) => new(
        configuration.GetValue("STREAMFLOW_PORT", 7071),
        configuration.GetValue("Durable:SidecarPort", 7072),
        configuration.GetValue("Http:MaxRequestBodyBytes", 60L * 1024 * 1024),
        configuration.GetValue("Migrations:ApplyOnStartup", true),
        (configuration["Cors:AllowedOrigins"] ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
