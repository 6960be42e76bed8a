using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using UserData.Silo.Configuration;

namespace UserData.Silo.Hosting;

/// <summary>Reads a settings section and validates it before the host is built, so a misconfiguration stops the start with the key's name.</summary>
internal static class ClusterConfiguration
{
    public static T Bind<T>(IConfiguration configuration, string section)
        where T : new()
    {
        var settings = new T();
        configuration.GetSection(section).Bind(settings);
        Validate(settings, section);
        return settings;
    }

    private static void Validate(object settings, string section)
    {
        var errors = new List<ValidationResult>();
        Validator.TryValidateObject(settings, new ValidationContext(settings), errors, validateAllProperties: true);
        foreach (var property in settings.GetType().GetProperties().Where(p => p.PropertyType.IsClass && p.PropertyType != typeof(string)))
        {
            if (property.GetValue(settings) is { } nested && nested.GetType().Namespace == typeof(ClusterSettings).Namespace)
            {
                Validator.TryValidateObject(nested, new ValidationContext(nested), errors, validateAllProperties: true);
            }
        }

        if (errors.Count > 0)
        {
            throw new OptionsValidationException(section, settings.GetType(), errors.Select(error => error.ErrorMessage ?? "invalid"));
        }
    }
}
